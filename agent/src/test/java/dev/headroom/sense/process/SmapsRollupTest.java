package dev.headroom.sense.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SmapsRollupTest {

    private static final long KIB = 1024;

    /** smaps_rollup of the same JDK 17 process as the status fixture, captured on Linux 6.18. */
    @Test
    void splitsRssIntoAnonymousShmemAndFile() throws Exception {
        ProcessMemory memory = SmapsRollup.parse(Fixtures.text("linux-6.18-java/self/smaps_rollup"));

        assertEquals(80632 * KIB, memory.rssBytes());
        assertEquals(48408 * KIB, memory.rssAnon());
        assertEquals(0, memory.rssShmem());
        assertEquals((80632 - 48408) * KIB, memory.rssFile());
        assertEquals(0, memory.swapBytes());
        assertEquals(-1, memory.vmSizeBytes());
        assertEquals(-1, memory.threads());
    }

    @Test
    void agreesWithStatusOnTheSameProcess() throws Exception {
        ProcessMemory rollup = SmapsRollup.parse(Fixtures.text("linux-6.18-java/self/smaps_rollup"));
        ProcessMemory status = ProcessStatus.parse(Fixtures.text("linux-6.18-java/self/status"));

        assertEquals(status.rssBytes(), rollup.rssBytes());
        assertEquals(status.rssAnon(), rollup.rssAnon());
        assertEquals(status.rssFile(), rollup.rssFile());
    }

    /** Before Linux 5.8 there is no Pss_Shmem: shmem is unknown and stays inside the file part. */
    @Test
    void countsShmemAsFileWhenPssShmemIsMissing() {
        String text = "00400000-7fff0000 ---p 00000000 00:00 0                [rollup]\n"
                + "Rss:                 300 kB\n"
                + "Pss:                 200 kB\n"
                + "Anonymous:           100 kB\n"
                + "Swap:                  8 kB\n";

        ProcessMemory memory = SmapsRollup.parse(text);

        assertEquals(new ProcessMemory(300 * KIB, 100 * KIB, 200 * KIB, -1, 8 * KIB, -1, -1), memory);
    }

    @Test
    void leavesTheFilePartUnknownWithoutAnonymous() {
        ProcessMemory memory = SmapsRollup.parse("Rss: 300 kB\nAnonymous: garbage\n");

        assertEquals(300 * KIB, memory.rssBytes());
        assertEquals(-1, memory.rssAnon());
        assertEquals(-1, memory.rssFile());
    }
}
