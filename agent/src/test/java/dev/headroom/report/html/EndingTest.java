package dev.headroom.report.html;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One verdict per run (title, header, chart's end marker), and what it rests on. */
class EndingTest {

    private static final long MIB = 1024 * 1024;
    private static final long PID = 4242;
    private static final Instant JVM_START = Instant.parse("2026-11-22T14:01:59.800Z");
    private static final long T0 = Instant.parse("2026-11-22T14:02:00.000Z").toEpochMilli();

    @TempDir
    Path dir;

    /**
     * A log without a stop event: 30 s of a heap growing 2 MiB/s (working set heapStart + 200 MiB at
     * the end) under the limit, while the
     * committed-but-not-resident correction rises 8 MiB/s toward zero (faster than anything grows).
     */
    private Path log(long limit, long heapStart) throws Exception {
        List<String> lines = new ArrayList<>();
        lines.add("{\"time\":\"" + Instant.ofEpochMilli(T0) + "\",\"event\":\"start\",\"limitBytes\":" + limit
                + ",\"limitSource\":\"limit option\",\"jvm\":{\"pid\":" + PID + ",\"startTime\":\"" + JVM_START + "\"}}");
        for (int i = 0; i <= 30; i++) {
            long heap = heapStart + 2 * MIB * i;
            long correction = -300 * MIB + 8 * MIB * i;
            long ws = heap + correction + 200 * MIB;
            lines.add("{\"time\":\"" + Instant.ofEpochMilli(T0 + 1000L * (i + 1)) + "\",\"event\":\"snapshot\","
                    + "\"workingSetBytes\":" + ws + ",\"limitBytes\":" + limit + ",\"level\":\"OK\",\"breakdown\":["
                    + "{\"id\":\"heap\",\"label\":\"Java heap (committed)\",\"group\":\"jvm\",\"bytes\":" + heap + "},"
                    + "{\"id\":\"committedNotResident\",\"label\":\"Committed but not resident\",\"group\":\"jvm\","
                    + "\"bytes\":" + correction + "},"
                    + "{\"id\":\"nativeUntracked\",\"label\":\"Native, not tracked by the JVM\",\"group\":\"native\","
                    + "\"bytes\":" + 200 * MIB + "}]}");
        }
        Path p = dir.resolve("events.jsonl");
        Files.write(p, lines);
        return p;
    }

    private static HtmlReport.Page page(Path log, Ending.Processes processes) throws Exception {
        return HtmlReport.render(RunReader.read(log, 0), processes);
    }

    @Test
    void aLogWhoseWriterIsAliveAndStartedWithItIsStillRunning() throws Exception {
        // The process of the log's pid runs, started 30 ms before its JVM said it started.
        HtmlReport.Page page = page(log(512 * MIB, 100 * MIB), pid -> pid == PID
                ? Optional.of(JVM_START.minusMillis(30)) : Optional.empty());
        assertTrue(page.verdict().startsWith("Still running at "), page.verdict());
        assertTrue(page.html().contains("verdict-running"), "the header says so too");
        assertTrue(page.html().contains("process " + PID + ", which writes it, is still running"));
        assertFalse(page.html().contains("ended abruptly"), "no end marker of a kill that did not happen");
        assertFalse(page.html().contains("SIGKILL?"));
    }

    @Test
    void theSamePidStartedLaterIsAnotherProcessAndTheLogEndedAbruptly() throws Exception {
        Path log = log(512 * MIB, 100 * MIB);
        HtmlReport.Page reused = page(log, pid -> Optional.of(JVM_START.plusSeconds(3600)));
        assertTrue(reused.verdict().startsWith("Ended abruptly (SIGKILL?)"), reused.verdict());
        HtmlReport.Page gone = page(log, pid -> Optional.empty());
        assertTrue(gone.verdict().startsWith("Ended abruptly (SIGKILL?)"), gone.verdict());
        assertTrue(gone.html().contains("ended abruptly (SIGKILL?)"), "title and marker agree");
    }

    @Test
    void anOomKillIsCalledSoInTheTitleAndAtTheChartsEnd() throws Exception {
        // The working set ends at 96% of the limit: the verdict is OOM-killed, and so is the marker.
        long limit = 512 * MIB;
        // The working set ends at heapStart + 200 MiB: 480 MiB, 94% of the limit.
        HtmlReport.Page page = page(log(limit, 280 * MIB), pid -> Optional.empty());
        assertTrue(page.verdict().startsWith("OOM-killed at "), page.verdict());
        assertTrue(page.html().contains("\">OOM-killed</text>"), "the chart's end marker says OOM-killed");
        assertFalse(page.html().contains("ended abruptly"), "not a second verdict at the chart's end");
    }

    @Test
    void aCorrectionIsNeverWhatGrew() throws Exception {
        HtmlReport.Page page = page(log(512 * MIB, 100 * MIB), pid -> Optional.empty());
        assertTrue(page.verdict().endsWith("; Java heap (committed) grew 2.0 MiB/s"), page.verdict());
        assertFalse(page.verdict().contains("Committed but not resident"), page.verdict());
    }

    @Test
    void aLogWithoutTheJvmsStartTimeIsNeverCalledRunning() throws Exception {
        Path log = log(512 * MIB, 100 * MIB);
        Files.writeString(log, Files.readString(log).replace(",\"startTime\":\"" + JVM_START + "\"", ""));
        HtmlReport.Page page = page(log, pid -> Optional.of(JVM_START));
        assertFalse(page.verdict().startsWith("Still running"), page.verdict());
        assertEquals(Ending.ABRUPT, Ending.of(RunReader.read(log, 0), new Chart(RunReader.read(log, 0)),
                pid -> Optional.of(JVM_START)));
    }
}
