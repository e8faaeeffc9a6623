package dev.headroom.agent;

import dev.headroom.publish.Console;
import dev.headroom.publish.EventLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BridgeReportsTest {

    @TempDir
    Path dir;

    @Test
    void linesFromBeforeTheEventLogAndAfterItAreEachOneProblemEventWithSourceMicrometer() throws Exception {
        BridgeReports reports = new BridgeReports(true);
        // Said while MeterRegistry was being defined, before the runtime had opened the log.
        reports.accept("Micrometer bridge: could not instrument MeterRegistry in class loader app: boom");
        Path file = dir.resolve("events.jsonl");
        try (EventLog log = EventLog.open(file)) {
            reports.ready(new ProblemReporter(new Console(true), log, () -> 0L));
            reports.accept("Micrometer bridge: cannot bind X: its Micrometer is too old");
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("\"source\":\"micrometer\"") && lines.get(0).contains("could not instrument"),
                lines.get(0));
        assertTrue(lines.get(1).contains("too old"), lines.get(1));
    }
}
