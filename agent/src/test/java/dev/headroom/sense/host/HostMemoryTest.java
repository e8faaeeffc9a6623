package dev.headroom.sense.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostMemoryTest {

    private static Path fixtureProc() throws Exception {
        URL url = HostMemoryTest.class.getResource("/process/host/meminfo");
        return Path.of(url.toURI()).getParent();
    }

    /** /proc/meminfo of the build machine: MemTotal: 24684092 kB. */
    @Test
    void takesMemTotalFromMeminfo() throws Exception {
        assertEquals(24684092L * 1024, HostMemory.totalBytes(fixtureProc()));
    }

    @Test
    void parsesMemTotalOnlyWhenWellFormed() {
        assertEquals(2048L * 1024, MemInfo.memTotalBytes("MemFree: 1 kB\nMemTotal:    2048 kB\n"));
        assertEquals(-1, MemInfo.memTotalBytes("MemTotal: lots kB\n"));
        assertEquals(-1, MemInfo.memTotalBytes("MemTotal: 2048\n"));
        assertEquals(-1, MemInfo.memTotalBytes("MemFree: 1 kB\n"));
        assertEquals(-1, MemInfo.memTotalBytes(""));
    }

    /** No /proc at all, as on macOS: OSHI where JNA is present (as in tests), else the OperatingSystemMXBean. */
    @Test
    void memTotalTooLargeForBytesIsMalformedNotNegative() {
        // Found by MemInfoFuzzTest: the last digit took the KiB value past Long.MAX_VALUE / 1024.
        assertEquals(-1, MemInfo.memTotalBytes("MemTotal:   9007199254740993 kB\n"));
        assertEquals(9007199254740991L * 1024, MemInfo.memTotalBytes("MemTotal:   9007199254740991 kB\n"));
    }

    @Test
    void findsHostMemoryWithoutProc(@TempDir Path dir) {
        long total = HostMemory.totalBytes(dir.resolve("no-proc-here"));

        assertTrue(total > 0, () -> "total " + total);
    }

    @Test
    void fallsBackWhenMeminfoIsUnreadable(@TempDir Path proc) throws Exception {
        Files.writeString(proc.resolve("meminfo"), "garbage\n");

        long total = HostMemory.totalBytes(proc);

        assertTrue(total > 0, () -> "total " + total);
    }
}
