package dev.headroom.sense.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Locates the real cgroup of the machine running the tests; skipped where it is not a v1/hybrid host. */
class ThisHostCgroupTest {

    @Test
    void locatesTheRealV1MemoryCgroup() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/sys/fs/cgroup/memory")), "no cgroup v1 memory controller here");

        Located located = CgroupLocator.locate(Path.of("/proc"), Path.of("/sys/fs/cgroup"), -1);
        CgroupMemoryReader reader = located.reader()
                .orElseThrow(() -> new AssertionError("not located; notes: " + located.notes()));
        assertEquals(1, reader.version(), located.notes().toString());

        CgroupMemory memory = reader.read();
        assertTrue(memory.usageBytes() > 0, "usage " + memory.usageBytes());
        assertTrue(memory.processCount() >= 1, "this JVM is in the cgroup: " + memory.processCount());
        assertTrue(memory.stat().raw().containsKey("total_rss"), memory.stat().raw().toString());
    }
}
