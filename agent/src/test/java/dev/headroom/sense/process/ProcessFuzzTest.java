package dev.headroom.sense.process;

import static dev.headroom.fuzz.Mutations.mutate;
import static dev.headroom.fuzz.Mutations.pick;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.fuzz.Fuzz;
import dev.headroom.fuzz.Mutations;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Mutated and generated {@code /proc/self/status} and {@code smaps_rollup} texts: the parsers never throw, every
 * size is {@code -1} or a non-negative whole number of KiB, and well-formed texts parse back to their values.
 */
class ProcessFuzzTest {

    private static final Fuzz.Tally TALLY = new Fuzz.Tally("process");
    private static final List<String> STATUS = List.of(
            Mutations.resource("/process/linux-6.18-java/self/status"),
            Mutations.resource("/process/linux-4.4-java/self/status"));
    private static final List<String> ROLLUP = List.of(
            Mutations.resource("/process/linux-6.18-java/self/smaps_rollup"),
            Mutations.resource("/process/linux-4.4-java/self/smaps_rollup"));
    private static final List<String> STATUS_KEYS = List.of("VmRSS", "VmSwap", "VmSize", "RssAnon", "RssFile",
            "RssShmem", "Threads", "VmPeak", "VmHWM", "Name", "Pid", "voluntary_ctxt_switches");
    private static final List<String> ROLLUP_KEYS = List.of("Rss", "Pss", "Anonymous", "Pss_Shmem", "Swap",
            "SwapPss", "Private_Dirty");
    private static final long MAX_KIB = Long.MAX_VALUE / 1024;

    @AfterAll
    static void summary() {
        TALLY.print();
    }

    private static String statusOrRollup(SplittableRandom r, List<String> fixtures, List<String> keys) {
        return r.nextInt(5) == 0 ? Mutations.randomKeyValues(r, keys, ":\t", pick(r, " kB", "kB", " KB", " kB "))
                : mutate(pick(r, fixtures), r);
    }

    @Test
    void mutatedStatusTextsGiveMinusOneOrWholeKibibytes() {
        Fuzz.run(TALLY, "status mutated", 150_000, r -> statusOrRollup(r, STATUS, STATUS_KEYS), text -> {
            ProcessMemory m = ProcessStatus.parse(text);
            for (long size : new long[] {m.rssBytes(), m.rssAnon(), m.rssFile(), m.rssShmem(), m.swapBytes(),
                m.vmSizeBytes()}) {
                assertKibibytes(size);
            }
            assertTrue(m.threads() >= -1, "threads " + m.threads());
        });
    }

    @Test
    void mutatedSmapsRollupTextsGiveMinusOneOrWholeKibibytes() {
        Fuzz.run(TALLY, "smaps_rollup mutated", 150_000, r -> statusOrRollup(r, ROLLUP, ROLLUP_KEYS), text -> {
            ProcessMemory m = SmapsRollup.parse(text);
            for (long size : new long[] {m.rssBytes(), m.rssAnon(), m.rssShmem(), m.swapBytes()}) {
                assertKibibytes(size);
            }
            assertTrue(m.rssFile() >= -1, "file part " + m.rssFile());
            if (m.rssBytes() >= 0 && m.rssAnon() >= 0) {
                assertTrue(m.rssFile() >= 0 && m.rssFile() <= m.rssBytes(), "the file part is within Rss");
            }
            assertEquals(-1, m.vmSizeBytes());
            assertEquals(-1, m.threads());
        });
    }

    private static void assertKibibytes(long size) {
        assertTrue(size == -1 || (size >= 0 && size % 1024 == 0), "-1 or whole KiB, not " + size);
    }

    /** A status text with random values, the memory lines shuffled among the other lines of a real one. */
    private record Status(String text, ProcessMemory expected) {
    }

    @Test
    void wellFormedStatusTextsParseBackToTheirValues() {
        Fuzz.run(TALLY, "status generated", 100_000, r -> {
            long[] kib = new long[6];
            for (int i = 0; i < kib.length; i++) {
                kib[i] = r.nextBoolean() ? r.nextLong(1L << 32) : r.nextLong(MAX_KIB + 1);
            }
            int threads = r.nextInt(Integer.MAX_VALUE);
            String[] keys = {"VmRSS", "RssAnon", "RssFile", "RssShmem", "VmSwap", "VmSize"};
            List<String> lines = new ArrayList<>();
            for (String line : Mutations.lines(pick(r, STATUS))) {
                int colon = line.indexOf(':');
                String key = colon < 0 ? "" : line.substring(0, colon);
                if (!List.of(keys).contains(key) && !key.equals("Threads")) {
                    lines.add(line);
                }
            }
            for (int i = 0; i < keys.length; i++) {
                lines.add(keys[i] + ":" + pick(r, "\t", " ", "   ", "\t ") + kib[i] + pick(r, " kB", "  kB", "\tkB"));
            }
            lines.add("Threads:" + pick(r, "\t", " ") + threads);
            Collections.shuffle(lines, new java.util.Random(r.nextLong()));
            String text = String.join(r.nextInt(8) == 0 ? "\r\n" : "\n", lines) + "\n";
            return new Status(text, new ProcessMemory(kib[0] * 1024, kib[1] * 1024, kib[2] * 1024, kib[3] * 1024,
                    kib[4] * 1024, kib[5] * 1024, threads));
        }, Status::text, s -> assertEquals(s.expected(), ProcessStatus.parse(s.text())));
    }

    @Test
    void wellFormedSmapsRollupTextsParseBackToTheirValues() {
        Fuzz.run(TALLY, "smaps_rollup generated", 100_000, r -> {
            long rss = r.nextLong(1L << 40);
            long anon = r.nextLong(rss + 1);
            long shmem = r.nextLong(rss - anon + 1);
            long swap = r.nextLong(1L << 40);
            String text = "00400000-7fffc8394000 ---p 00000000 00:00 0                              [rollup]\n"
                    + "Rss:" + pad(r) + rss + " kB\n" + "Pss:" + pad(r) + rss + " kB\n"
                    + "Pss_Shmem:" + pad(r) + shmem + " kB\n" + "Anonymous:" + pad(r) + anon + " kB\n"
                    + "Swap:" + pad(r) + swap + " kB\n" + "SwapPss:" + pad(r) + swap + " kB\n";
            return new Status(text, new ProcessMemory(rss * 1024, anon * 1024, (rss - anon - shmem) * 1024,
                    shmem * 1024, swap * 1024, -1, -1));
        }, Status::text, s -> assertEquals(s.expected(), SmapsRollup.parse(s.text())));
    }

    private static String pad(SplittableRandom r) {
        return " ".repeat(1 + r.nextInt(16));
    }
}
