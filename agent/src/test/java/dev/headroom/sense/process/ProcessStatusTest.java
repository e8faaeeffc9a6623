package dev.headroom.sense.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProcessStatusTest {

    private static final long KIB = 1024;

    /** /proc/<pid>/status of a JDK 17 process on Linux 6.18, captured on the build machine. */
    @Test
    void readsTheMemoryLinesOfAModernKernelInBytes() throws Exception {
        ProcessMemory memory = ProcessStatus.parse(Fixtures.text("linux-6.18-java/self/status"));

        assertEquals(80632 * KIB, memory.rssBytes());
        assertEquals(48408 * KIB, memory.rssAnon());
        assertEquals(32224 * KIB, memory.rssFile());
        assertEquals(0, memory.rssShmem());
        assertEquals(0, memory.swapBytes());
        assertEquals(2714216 * KIB, memory.vmSizeBytes());
        assertEquals(22, memory.threads());
    }

    @Test
    void rssSplitIsTheSumOfItsParts() throws Exception {
        ProcessMemory memory = ProcessStatus.parse(Fixtures.text("linux-6.18-java/self/status"));

        assertEquals(memory.rssBytes(), memory.rssAnon() + memory.rssFile() + memory.rssShmem());
    }

    /** The same process as a Linux 4.4 kernel would print it: RssAnon, RssFile and RssShmem came in 4.5. */
    @Test
    void leavesTheSplitUnknownOnKernelsBefore4_5() throws Exception {
        ProcessMemory memory = ProcessStatus.parse(Fixtures.text("linux-4.4-java/self/status"));

        assertEquals(80632 * KIB, memory.rssBytes());
        assertEquals(-1, memory.rssAnon());
        assertEquals(-1, memory.rssFile());
        assertEquals(-1, memory.rssShmem());
        assertEquals(22, memory.threads());
    }

    @Test
    void skipsMalformedLinesAndKeepsTheGoodOnes() {
        String text = "VmRSS:\t  not-a-number kB\n"
                + "VmSize:\t 2048\n"                      // a size without its unit
                + "RssAnon\t 100 kB\n"                    // no colon
                + "RssFile:\t 99999999999999999999999 kB\n" // overflows a long
                + "RssShmem:\t 12 kB trailing\n"
                + "VmSwap:\t 4 kB\r\n"
                + "Threads:\t 7\n"
                + ":\n\n"
                + "Threads";                             // cut off

        ProcessMemory memory = ProcessStatus.parse(text);

        assertEquals(new ProcessMemory(-1, -1, -1, -1, 4 * KIB, -1, 7), memory);
    }

    @Test
    void emptyTextIsAllUnknown() {
        assertEquals(ProcessMemory.UNKNOWN, ProcessStatus.parse(""));
    }
}
