package dev.headroom.sense.jvm;

import static dev.headroom.fuzz.Mutations.lineCount;
import static dev.headroom.fuzz.Mutations.mutate;
import static dev.headroom.fuzz.Mutations.pick;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.fuzz.Fuzz;
import dev.headroom.fuzz.Mutations;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Mutated real {@code VM.native_memory summary} texts (JDK 17 and 25, KB and MB scales, truncated, NMT off) and
 * summaries rebuilt from random categories. The only allowed failure is the checked {@link NmtFormatException};
 * a summary that comes back is bounded (non-negative sizes, no more categories than lines, categories adding up to
 * the total), and a generated summary parses back to its categories and totals.
 */
class NmtParserFuzzTest {

    private static final Fuzz.Tally TALLY = new Fuzz.Tally("nmt");
    private static final List<String> FIXTURES = List.of("jdk17-summary.txt", "jdk17-summary-scale-mb.txt",
            "jdk17-not-enabled.txt", "jdk25-summary.txt", "jdk25-summary-scale-mb.txt", "jdk25-summary-truncated.txt",
            "jdk25-not-enabled.txt").stream().map(f -> Mutations.resource("/nmt/" + f)).toList();
    private static final List<String> NAMES = List.of("Java Heap", "Class", "Thread", "Code", "GC", "GCCardSet",
            "Compiler", "Internal", "Other", "Symbol", "Native Memory Tracking", "Shared class space", "Arena Chunk",
            "Tracing", "Module", "Safepoint", "Synchronization", "Serviceability", "Metaspace",
            "String Deduplication", "Object Monitors", "Unknown");
    private static final BigInteger TOLERANCE = BigInteger.valueOf(32L << 30);

    @AfterAll
    static void summary() {
        TALLY.print();
    }

    @Test
    void mutatedSummariesAreReportedAsMalformedOrComeBackBounded() {
        Fuzz.run(TALLY, "NMT summary mutated", 120_000, r -> mutate(pick(r, FIXTURES), r), text -> {
            NmtSummary s;
            try {
                s = NmtParser.parse(text);
            } catch (NmtFormatException reported) {
                assertFalse(reported.getMessage() == null || reported.getMessage().isEmpty(), "says why");
                assertTrue(reported.getMessage().length() < 2_000, "a bounded message");
                return;
            }
            assertBounded(text, s);
        });
    }

    /**
     * Categories near 2^62 bytes whose sum wraps past Long.MAX_VALUE, under a Total that equals the wrapped sum:
     * they must not pass for a complete summary.
     */
    @Test
    void categoriesAddingUpPastALongAreMalformed() {
        Fuzz.run(TALLY, "NMT summary overflowing", 20_000, r -> {
            int n = 2 + r.nextInt(4);
            StringBuilder body = new StringBuilder();
            long wrapped = 0;
            for (int i = 0; i < n; i++) {
                long kib = (1L << 51) + r.nextLong(1L << 51);
                wrapped += kib * 1024;
                body.append("-  ").append(NAMES.get(i)).append(" (reserved=").append(kib).append("KB, committed=")
                        .append(kib).append("KB)\n");
            }
            long total = wrapped < 0 ? r.nextLong(1L << 40) : wrapped / 1024;
            return "Native Memory Tracking:\n\nTotal: reserved=" + total + "KB, committed=" + total + "KB\n\n" + body;
        }, text -> {
            try {
                assertBounded(text, NmtParser.parse(text));
            } catch (NmtFormatException reported) {
                // the allowed outcome
            }
        });
    }

    private static void assertBounded(String text, NmtSummary s) {
        {
            if (s == null) {
                return; // NMT off
            }
            assertTrue(s.totalReservedBytes() >= 0 && s.totalCommittedBytes() >= 0, "totals");
            assertTrue(s.categories().size() <= lineCount(text), "categories come from lines");
            BigInteger reserved = BigInteger.ZERO;
            BigInteger committed = BigInteger.ZERO;
            for (NmtCategory c : s.categories()) {
                assertTrue(c.reservedBytes() >= 0 && c.committedBytes() >= 0, c.toString());
                assertFalse(c.name().isBlank());
                reserved = reserved.add(BigInteger.valueOf(c.reservedBytes()));
                committed = committed.add(BigInteger.valueOf(c.committedBytes()));
            }
            assertTrue(reserved.subtract(BigInteger.valueOf(s.totalReservedBytes())).abs().compareTo(TOLERANCE) <= 0
                    && committed.subtract(BigInteger.valueOf(s.totalCommittedBytes())).abs().compareTo(TOLERANCE) <= 0,
                    "accepted categories add up to the total: reserved " + reserved + " committed " + committed);
        }
    }

    private record Generated(String text, NmtSummary expected) {
    }

    @Test
    void summariesRebuiltFromRandomCategoriesParseBackToThem() {
        Fuzz.run(TALLY, "NMT summary generated", 60_000, NmtParserFuzzTest::generate, Generated::text, g -> {
            assertEquals(g.expected(), NmtParser.parse(g.text()));
        });
    }

    private static Generated generate(SplittableRandom r) {
        String[] units = {"KB", "MB", "GB", ""};
        long[] bytesPerUnit = {1L << 10, 1L << 20, 1L << 30, 1};
        int u = r.nextInt(units.length);
        String unit = units[u];
        long scale = bytesPerUnit[u];
        boolean jdk21 = r.nextBoolean();
        int n = 1 + r.nextInt(NAMES.size());
        List<NmtCategory> categories = new ArrayList<>();
        List<String> names = new ArrayList<>(NAMES);
        long totalReserved = 0;
        long totalCommitted = 0;
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String name = r.nextInt(8) == 0 ? "Custom " + Long.toString(r.nextLong(1 << 20), 36)
                    : names.remove(r.nextInt(names.size()));
            // at most 2^52 bytes each: thirty of them still add up well inside a long
            long reserved = r.nextLong((1L << 52) / scale);
            long committed = r.nextBoolean() ? reserved : r.nextLong(reserved + 1);
            totalReserved += reserved;
            totalCommitted += committed;
            categories.add(new NmtCategory(name, reserved * scale, committed * scale));
            body.append(String.format(Locale.ROOT, "-%26s (reserved=%d%s, committed=%d%s", name, reserved, unit,
                    committed, unit));
            body.append(name.equals("Shared class space") ? ", readonly=0" + unit + ")\n" : ")\n");
            body.append("                            (malloc=").append(committed / 2).append(unit).append(" #")
                    .append(r.nextInt(100_000)).append(jdk21 ? ") (peak=" + committed + unit + " #12)\n" : ")\n");
            if (r.nextBoolean()) {
                body.append("                            (mmap: reserved=").append(reserved).append(unit)
                        .append(", committed=").append(committed).append(unit).append(")\n");
            }
            body.append(" \n");
        }
        String text = "\nNative Memory Tracking:\n\n"
                + (unit.equals("KB") ? "(Omitting categories weighting less than 1KB)\n\n" : "")
                + "Total: reserved=" + totalReserved + unit + ", committed=" + totalCommitted + unit + "\n"
                + "       malloc: " + (totalCommitted / 3) + unit + " #66171\n"
                + "       mmap:   reserved=" + totalReserved + unit + ", committed=" + totalCommitted + unit + "\n\n"
                + body;
        if (r.nextInt(8) == 0) {
            text = text.replace("\n", "\r\n");
        }
        return new Generated(text, new NmtSummary(totalReserved * scale, totalCommitted * scale, categories));
    }
}
