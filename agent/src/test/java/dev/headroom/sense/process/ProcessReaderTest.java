package dev.headroom.sense.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessReaderTest {

    private static final long KIB = 1024;

    @Test
    void readsStatusUnderTheProcRoot() throws Exception {
        ProcessMemory memory = new ProcessReader(Fixtures.path("linux-6.18-java")).read();

        assertEquals(ProcessStatus.parse(Fixtures.text("linux-6.18-java/self/status")), memory);
    }

    /**
     * A status without RssAnon (kernel before 4.5) beside a smaps_rollup: the split comes from the rollup, the rest
     * from status. (Mainline added smaps_rollup in 4.14, after RssAnon; the pairing stands for the kernels and
     * /proc emulations that have the one and not the other.)
     */
    @Test
    void fallsBackToSmapsRollupWhenStatusLacksRssAnon() throws Exception {
        ProcessMemory memory = new ProcessReader(Fixtures.path("linux-4.4-java")).read();

        assertEquals(80632 * KIB, memory.rssBytes());
        assertEquals(48408 * KIB, memory.rssAnon());
        assertEquals(32224 * KIB, memory.rssFile());
        assertEquals(0, memory.rssShmem());
        assertEquals(2714216 * KIB, memory.vmSizeBytes());
        assertEquals(22, memory.threads());
    }

    @Test
    void leavesTheSplitUnknownWhenThereIsNoSmapsRollupEither(@TempDir Path proc) throws Exception {
        Files.createDirectories(proc.resolve("self"));
        Files.copy(Fixtures.path("linux-4.4-java/self/status"), proc.resolve("self/status"));
        ProcessReader reader = new ProcessReader(proc);

        ProcessMemory first = reader.read();
        ProcessMemory second = reader.read();

        assertEquals(80632 * KIB, first.rssBytes());
        assertEquals(-1, first.rssAnon());
        assertEquals(first, second);
    }

    @Test
    void reportsAMissingStatusAsIOException(@TempDir Path proc) {
        assertThrows(IOException.class, () -> new ProcessReader(proc).read());
    }

    @Test
    void readsThisProcessOnLinux() throws Exception {
        Path proc = Path.of("/proc");
        assumeTrue(Files.isReadable(proc.resolve("self/status")), "needs Linux /proc");

        ProcessMemory memory = new ProcessReader(proc).read();

        assertTrue(memory.rssBytes() > 0, () -> "rss " + memory.rssBytes());
        assertTrue(memory.threads() >= 1, () -> "threads " + memory.threads());
        assertTrue(memory.vmSizeBytes() >= memory.rssBytes());
    }
}
