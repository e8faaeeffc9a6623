package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar headroom-agent.jar inspect <pid>} against a running sample app: the table is of
 * that JVM (its 96 MiB heap, not the command's own), read from the agent when it watches, else
 * from one reading inside it that leaves nothing running.
 */
class InspectIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern HEAP_ROW = Pattern.compile("\\n  Java heap \\(committed\\) +([0-9.]+) ");
    private static final Pattern TABLE_TIME = Pattern.compile("Memory reconciliation at (\\S+)\\n");

    @TempDir
    Path work;

    @Test
    void inspectOfAJvmWithoutTheAgentReadsThatJvmAndLeavesNothingRunningInIt() throws Exception {
        try (AgentJvm app = AgentJvm.start(work, null, List.of("-Xms96m", "-Xmx96m"), "dev.headroom.samples.Idle", "60")) {
            app.awaitStdout("idle ready", WAIT);
            Result r = inspect(app.process.pid());
            assertEquals(0, r.exit, r.output);
            assertTrue(r.output.startsWith("Headroom inspect: process " + app.process.pid()
                    + ", one reading now (no agent watches this JVM; `attach " + app.process.pid() + "` starts one)"),
                    r.output);
            assertHeapIs96MiB(r.output);
            // One reading and nothing else: no agent thread, no evidence directory, not a word on its stderr.
            assertEquals(0, AgentJvm.threadsNamed(app.process.pid(), "headroom"), "agent threads left in the target");
            assertFalse(Files.exists(work.resolve("headroom-dumps")), "the inspection wrote evidence");
            assertFalse(app.stderrText().contains("headroom"), app.stderrText());
            // A second inspection still finds no agent: the first one started none.
            Result again = inspect(app.process.pid());
            assertTrue(again.output.contains("one reading now (no agent watches this JVM"), again.output);
        }
    }

    @Test
    void inspectOfAJvmWithTheAgentReadsTheAgentsLatestTick() throws Exception {
        Path log = work.resolve("events.jsonl");
        try (AgentJvm app = AgentJvm.start(work, null, List.of(
                AgentJvm.agentOption("eventLog=" + log + ",interval=200ms,snapshotEvery=100ms"), "-Xms96m", "-Xmx96m"),
                "dev.headroom.samples.Idle", "60")) {
            EventLogFile events = new EventLogFile(log);
            events.awaitEvents(e -> EventLogFile.count(e, "snapshot") >= 2, WAIT, app.process);
            Result r = inspect(app.process.pid());
            assertEquals(0, r.exit, r.output);
            assertTrue(r.output.startsWith("Headroom inspect: process " + app.process.pid()
                    + ", read from the agent watching it (its latest tick)\n"), r.output);
            assertHeapIs96MiB(r.output);
            // The table is one of the agent's ticks: its time is that of a snapshot the agent logged
            // (every tick is logged here: the interval is longer than snapshotEvery).
            Matcher time = TABLE_TIME.matcher(r.output);
            assertTrue(time.find(), r.output);
            String at = time.group(1);
            List<JsonNode> snapshots = events.awaitEvents(e -> e.stream().anyMatch(s -> at.equals(s.path("time").asText())),
                    WAIT, app.process);
            assertTrue(snapshots.stream().anyMatch(s -> "snapshot".equals(s.path("event").asText())
                    && at.equals(s.path("time").asText())), "no snapshot at " + at);
            assertEquals(1, AgentJvm.threadsNamed(app.process.pid(), "headroom"), "still one agent thread");
            assertEquals(1, EventLogFile.count(events.events(), "start"), "the inspection started no second agent");
        }
    }

    @Test
    void inspectWithoutAPidSaysItReadsTheCommandsOwnJvm() throws Exception {
        Process p = new ProcessBuilder(AgentJvm.java(), "-jar", AgentJvm.AGENT_JAR.toAbsolutePath().toString(), "inspect")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        assertTrue(output.startsWith("Headroom inspect: this command's own JVM (process " + p.pid()
                + "), not a service: its heap is an idle JVM's; `inspect <pid>` reads a running one"), output);
    }

    private static void assertHeapIs96MiB(String output) {
        Matcher heap = HEAP_ROW.matcher(output);
        assertTrue(heap.find(), output);
        double mib = Double.parseDouble(heap.group(1));
        // -Xms96m -Xmx96m, less the agent's own few KiB; the command's own JVM would show its default heap.
        assertTrue(mib > 95 && mib <= 96.0, "Java heap (committed) " + mib + " MiB:\n" + output);
    }

    private record Result(int exit, String output) {
    }

    private static Result inspect(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(AgentJvm.java(), "-jar", AgentJvm.AGENT_JAR.toAbsolutePath().toString(),
                "inspect", Long.toString(pid)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), output);
    }
}
