package dev.headroom.act;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NmtEvidenceTest {

    @TempDir
    Path tmp;

    /** Answers as a JVM started with -XX:NativeMemoryTracking=summary does (real outputs as fixtures). */
    private static final class RecordedNmt implements DiagnosticCommands {
        final List<String> calls = new ArrayList<>();

        @Override
        public boolean has(String operation) {
            return "vmNativeMemory".equals(operation);
        }

        @Override
        public String run(String operation, String... arguments) throws Exception {
            calls.add(operation + " " + String.join(" ", arguments));
            return switch (arguments[0]) {
                case "baseline" -> "Baseline succeeded\n";
                case "summary" -> ClassHistogramTest.fixture("nmt_summary_jdk17.txt");
                case "summary.diff" -> ClassHistogramTest.fixture("nmt_summary_diff_jdk17.txt");
                default -> throw new IllegalArgumentException(arguments[0]);
            };
        }
    }

    private NmtEvidence nmt(DiagnosticCommands commands) {
        return new NmtEvidence(new EvidenceDirectory(tmp), 3, commands, () -> true, () -> 1_714_558_500_000L, 77,
                () -> "abcdef");
    }

    @Test
    void whenNmtIsOffTheResultSaysSoAndWritesNothing() throws IOException {
        // The test JVM runs without -XX:NativeMemoryTracking.
        NmtEvidence off = new NmtEvidence(new EvidenceDirectory(tmp), 3);

        NmtEvidence.Result baseline = off.baseline();
        NmtEvidence.Result write = off.write();

        assertEquals(EvidenceStatus.SKIPPED, baseline.status());
        assertEquals(EvidenceStatus.SKIPPED, write.status());
        assertTrue(write.reason().startsWith("NMT is off"), write.reason());
        try (var files = Files.list(tmp)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void writesTheSummaryAndTheDiffAgainstTheBaseline() throws IOException {
        RecordedNmt commands = new RecordedNmt();
        NmtEvidence nmt = nmt(commands);

        assertEquals(EvidenceStatus.DONE, nmt.baseline().status());
        NmtEvidence.Result r = nmt.write();

        assertEquals(EvidenceStatus.DONE, r.status(), r.reason());
        assertEquals(List.of("vmNativeMemory baseline", "vmNativeMemory summary", "vmNativeMemory summary.diff"),
                commands.calls);
        assertEquals(ClassHistogramTest.fixture("nmt_summary_jdk17.txt"), Files.readString(r.summaryPath()));
        assertEquals(ClassHistogramTest.fixture("nmt_summary_diff_jdk17.txt"), Files.readString(r.diffPath()));
        assertEquals("headroom-77-20240501T101500000Z-abcdef.nmt-diff.txt", r.diffPath().getFileName().toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.summaryPath())));
    }

    @Test
    void withoutABaselineOnlyTheSummaryIsWritten() {
        NmtEvidence nmt = nmt(new RecordedNmt());

        NmtEvidence.Result r = nmt.write();

        assertEquals(EvidenceStatus.DONE, r.status());
        assertTrue(Files.exists(r.summaryPath()));
        assertNull(r.diffPath());
        assertTrue(r.reason().contains("no baseline"), r.reason());
    }

    @Test
    void hotSpotsNotEnabledAnswerIsTakenAsOff() {
        DiagnosticCommands off = new DiagnosticCommands() {
            @Override
            public boolean has(String operation) {
                return true;
            }

            @Override
            public String run(String operation, String... arguments) {
                return NmtEvidence.NOT_ENABLED + "\n";
            }
        };

        NmtEvidence.Result r = nmt(off).baseline();

        assertEquals(EvidenceStatus.SKIPPED, r.status());
        assertTrue(r.reason().startsWith("NMT is off"), r.reason());
    }
}
