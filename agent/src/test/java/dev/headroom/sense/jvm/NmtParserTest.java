package dev.headroom.sense.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fixtures are {@code jcmd <pid> VM.native_memory summary [scale=MB]} of a small program run with
 * {@code -XX:NativeMemoryTracking=summary -Xmx256m} on this machine's JDK 17.0.15 (Debian) and JDK 25 (Temurin).
 */
class NmtParserTest {

    private static final long KB = 1024;
    private static final long MB = 1024 * 1024;

    static String fixture(String name) throws IOException {
        try (InputStream in = NmtParserTest.class.getResourceAsStream("/nmt/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture nmt/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static NmtCategory category(NmtSummary summary, String name) {
        for (NmtCategory category : summary.categories()) {
            if (category.name().equals(name)) {
                return category;
            }
        }
        throw new AssertionError("no category '" + name + "' in " + names(summary));
    }

    private static List<String> names(NmtSummary summary) {
        List<String> names = new ArrayList<>();
        for (NmtCategory category : summary.categories()) {
            names.add(category.name());
        }
        return names;
    }

    /**
     * The JDK prints each value rounded to the nearest unit of the scale and leaves out the categories that round
     * to zero, so the categories add up to Total only within half a unit per category (the fixtures differ by
     * exactly one unit). Asserted as: within one unit per category shown.
     */
    private static void assertCategoriesAddUpToTotal(NmtSummary summary, long unit) {
        long reserved = 0;
        long committed = 0;
        for (NmtCategory category : summary.categories()) {
            reserved += category.reservedBytes();
            committed += category.committedBytes();
        }
        long tolerance = summary.categories().size() * unit;
        long committedGap = Math.abs(summary.totalCommittedBytes() - committed);
        long reservedGap = Math.abs(summary.totalReservedBytes() - reserved);
        assertTrue(committedGap <= tolerance, () -> "committed gap " + committedGap + " > " + tolerance);
        assertTrue(reservedGap <= tolerance, () -> "reserved gap " + reservedGap + " > " + tolerance);
    }

    @Test
    void parsesJdk17Summary() throws Exception {
        NmtSummary summary = NmtParser.parse(fixture("jdk17-summary.txt"));

        assertEquals(1733032 * KB, summary.totalReservedBytes());
        assertEquals(362716 * KB, summary.totalCommittedBytes());
        assertEquals(List.of("Java Heap", "Class", "Thread", "Code", "GC", "Compiler", "Internal", "Other", "Symbol",
                "Native Memory Tracking", "Shared class space", "Arena Chunk", "Module", "Safepoint", "Synchronization",
                "Serviceability", "Metaspace", "String Deduplication", "Object Monitors"), names(summary));
        assertEquals(new NmtCategory("Java Heap", 262144 * KB, 262144 * KB), category(summary, "Java Heap"));
        assertEquals(new NmtCategory("Thread", 22586 * KB, 1054 * KB), category(summary, "Thread"));
        assertEquals(new NmtCategory("Metaspace", 65574 * KB, 8550 * KB), category(summary, "Metaspace"));
        assertCategoriesAddUpToTotal(summary, KB);
    }

    @Test
    void parsesJdk25SummaryWithItsTagsPeaksAndExtraFields() throws Exception {
        NmtSummary summary = NmtParser.parse(fixture("jdk25-summary.txt"));

        assertEquals(1721581 * KB, summary.totalReservedBytes());
        assertEquals(355433 * KB, summary.totalCommittedBytes());
        assertEquals(List.of("Java Heap", "Class", "Thread", "Code", "GC", "GCCardSet", "Compiler", "Internal", "Other",
                "Symbol", "Native Memory Tracking", "Shared class space", "Arena Chunk", "Tracing", "Module",
                "Safepoint", "Synchronization", "Serviceability", "Metaspace", "String Deduplication",
                "Object Monitors"), names(summary));
        assertEquals(new NmtCategory("Java Heap", 262144 * KB, 262144 * KB), category(summary, "Java Heap"));
        assertEquals(new NmtCategory("GCCardSet", 0, 0), category(summary, "GCCardSet"));
        // "(reserved=16384KB, committed=13908KB, readonly=0KB)": the extra field is ignored
        assertEquals(new NmtCategory("Shared class space", 16384 * KB, 13908 * KB),
                category(summary, "Shared class space"));
        assertCategoriesAddUpToTotal(summary, KB);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk17-summary-scale-mb.txt", "jdk25-summary-scale-mb.txt"})
    void convertsMegabyteScaleToBytes(String name) throws Exception {
        NmtSummary summary = NmtParser.parse(fixture(name));

        assertEquals(256 * MB, category(summary, "Java Heap").committedBytes());
        assertEquals(1024 * MB, category(summary, "Class").reservedBytes());
        assertTrue(summary.totalCommittedBytes() % MB == 0);
        assertCategoriesAddUpToTotal(summary, MB);
    }

    @Test
    void megabyteScaleOmitsCategoriesBelowHalfAMegabyte() throws Exception {
        NmtSummary inKb = NmtParser.parse(fixture("jdk17-summary.txt"));
        NmtSummary inMb = NmtParser.parse(fixture("jdk17-summary-scale-mb.txt"));

        assertFalse(names(inMb).contains("Compiler")); // 188KB
        assertTrue(names(inKb).contains("Compiler"));
        assertEquals(1692 * MB, inMb.totalReservedBytes());
    }

    @Test
    void parsesGigabyteScaleAndNoScale() throws Exception {
        String text = """
                Native Memory Tracking:

                Total: reserved=2GB, committed=1GB
                -                 Java Heap (reserved=2GB, committed=1GB)
                """;
        String bytes = """
                Native Memory Tracking:

                Total: reserved=1774624768, committed=372101120
                -                 Java Heap (reserved=1774624768, committed=372101120)
                """;

        assertEquals(new NmtSummary(2L << 30, 1L << 30, List.of(new NmtCategory("Java Heap", 2L << 30, 1L << 30))),
                NmtParser.parse(text));
        assertEquals(372101120L, NmtParser.parse(bytes).totalCommittedBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk17-not-enabled.txt", "jdk25-not-enabled.txt"})
    void answersNullWhenTrackingIsNotEnabled(String name) throws Exception {
        assertNull(NmtParser.parse(fixture(name)));
    }

    @Test
    void rejectsTextCutInsideACategory() throws Exception {
        String truncated = fixture("jdk25-summary-truncated.txt");

        NmtFormatException e = assertThrows(NmtFormatException.class, () -> NmtParser.parse(truncated));

        assertTrue(e.getMessage().contains("Class"), e::getMessage);
    }

    @Test
    void rejectsTextCutBetweenCategories() throws Exception {
        String full = fixture("jdk17-summary.txt");
        String truncated = full.substring(0, full.indexOf("-                    Thread"));

        NmtFormatException e = assertThrows(NmtFormatException.class, () -> NmtParser.parse(truncated));

        assertTrue(e.getMessage().contains("truncated"), e::getMessage);
    }

    @Test
    void rejectsTextCutInTheTotalLine() throws Exception {
        String full = fixture("jdk25-summary.txt");
        String truncated = full.substring(0, full.indexOf("committed=355433KB") + "committed=35".length());

        assertThrows(NmtFormatException.class, () -> NmtParser.parse(truncated));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "garbage",
        "Native Memory Tracking:\n\n(Omitting categories weighting less than 1KB)\n",
        "Native Memory Tracking:\n-  Java Heap (reserved=1KB, committed=1KB)\n",
        "Native Memory Tracking:\nTotal: reserved=1KB, committed=1KB\n",
        "Native Memory Tracking:\nTotal: reserved=lots, committed=1KB\n-  Java Heap (reserved=1KB, committed=1KB)\n",
        "Native Memory Tracking:\nTotal: reserved=1KB, committed=1KB\n-  Java Heap (reserved=1XB, committed=1KB)\n",
        "Native Memory Tracking:\nTotal: reserved=1KB, committed=1KB\n-  Java Heap (reserved=1KB)\n",
        "Native Memory Tracking:\nTotal: reserved=1KB, committed=1KB\n-  (reserved=1KB, committed=1KB)\n",
        "Native Memory Tracking:\nTotal: reserved=1KB, committed=1KB\n-  Java Heap\n",
        "Native Memory Tracking:\nTotal: reserved=99999999999999999999KB, committed=1KB\n",
        "Native Memory Tracking:\nTotal: reserved=9999999999999999GB, committed=1KB\n",
    })
    void rejectsMalformedTextWithACheckedException(String text) {
        NmtFormatException e = assertThrows(NmtFormatException.class, () -> NmtParser.parse(text));

        assertNotNull(e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(NmtFormatException.class, () -> NmtParser.parse(null));
    }

    @Test
    void categoriesWhoseSumOverflowsALongAreMalformedEvenWhenTheWrappedSumMatchesTheTotal() {
        // Found by NmtParserFuzzTest: five categories of ~2^62 bytes wrapped to 466585038631487KB, which matched Total.
        String text = "Native Memory Tracking:\n\nTotal: reserved=466585038631487KB, committed=466585038631487KB\n\n"
                + "-  Java Heap (reserved=3087952060899599KB, committed=3087952060899599KB)\n"
                + "-  Class (reserved=3897260521557499KB, committed=3897260521557499KB)\n"
                + "-  Thread (reserved=3447315583019385KB, committed=3447315583019385KB)\n"
                + "-  Code (reserved=3693923996148762KB, committed=3693923996148762KB)\n"
                + "-  GC (reserved=4354531386488226KB, committed=4354531386488226KB)\n";
        assertThrows(NmtFormatException.class, () -> NmtParser.parse(text));
    }
}
