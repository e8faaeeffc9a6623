package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent in a real JVM in a real 300 MiB memory cgroup reads what the kernel reads. */
class SensingIT {

    private static final long LIMIT = 300L * 1024 * 1024;

    @TempDir
    Path work;

    @BeforeAll
    static void needsCgroups() {
        MemoryCgroup.requireAvailable();
    }

    @Test
    void startEventHasTheExactLimitAndSnapshotsFollowTheKubeletFormula() throws Exception {
        Path log = work.resolve("events.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create(LIMIT);
             AgentJvm app = AgentJvm.start(work, cgroup,
                     List.of(AgentJvm.agentOption("eventLog=" + log + ",interval=100ms,snapshotEvery=100ms"),
                             "-Xmx64m"),
                     "dev.headroom.samples.Idle", "30")) {
            EventLogFile events = new EventLogFile(log);
            events.awaitEvents(e -> EventLogFile.count(e, "snapshot") >= 3, Duration.ofSeconds(30), app.process);

            // The kubelet's formula, computed by the test from the same files the agent reads.
            long usage = cgroup.readLong("memory.usage_in_bytes");
            long inactiveFile = cgroup.stat("total_inactive_file");
            long kubeletWorkingSet = Math.max(0, usage - inactiveFile);
            int before = events.events("snapshot").size();
            events.awaitEvents(e -> EventLogFile.count(e, "snapshot") >= before + 2, Duration.ofSeconds(30),
                    app.process);

            JsonNode start = events.events("start").get(0);
            assertEquals(1, start.get("cgroupVersion").asInt());
            assertEquals(LIMIT, start.get("limitBytes").asLong(), "limitBytes of the start event");
            assertEquals(cgroup.path(), start.get("cgroupPath").asText());

            List<JsonNode> snapshots = events.events("snapshot");
            for (JsonNode s : snapshots) {
                JsonNode c = s.get("cgroup");
                assertEquals(Math.max(0, c.get("usageBytes").asLong() - c.get("inactiveFileBytes").asLong()),
                        s.get("workingSetBytes").asLong(), "working set = usage - inactive_file in " + s);
                assertEquals(LIMIT, s.get("limitBytes").asLong());
                long sum = 0;
                for (JsonNode part : s.get("breakdown")) {
                    sum += part.get("bytes").asLong();
                }
                assertEquals(s.get("workingSetBytes").asLong(), sum, "the breakdown adds up in " + s);
            }
            // The test's own reading lies between the agent's readings just before and after it
            // (an idle JVM's working set moves by little; allow 2 MiB of drift).
            long lo = Long.MAX_VALUE;
            long hi = Long.MIN_VALUE;
            for (JsonNode s : snapshots.subList(before - 1, snapshots.size())) {
                lo = Math.min(lo, s.get("workingSetBytes").asLong());
                hi = Math.max(hi, s.get("workingSetBytes").asLong());
            }
            long slack = 2L * 1024 * 1024;
            assertTrue(kubeletWorkingSet >= lo - slack && kubeletWorkingSet <= hi + slack,
                    "kubelet working set " + kubeletWorkingSet + " within the agent's [" + lo + ", " + hi + "]");
        }
    }

    @Test
    void malformedOptionLeavesTheApplicationRunningWithOneClearLine() throws Exception {
        try (AgentJvm app = AgentJvm.start(work, null, List.of(AgentJvm.agentOption("interval=soon")),
                "dev.headroom.samples.Idle", "0")) {
            assertEquals(0, app.waitFor(60), "the application's exit code");
            List<String> lines = app.stderrText().lines().filter(l -> l.startsWith("headroom:")).toList();
            assertEquals(List.of("headroom: agent disabled: option 'interval' has bad value 'soon': "
                    + "expected a duration like 500ms, 1s, 5m"), lines);
            assertTrue(app.stdoutText().contains("idle done"), "the application ran to its end");
        }
    }

    @Test
    void attachLoadsTheAgentIntoARunningJvm() throws Exception {
        Path log = work.resolve("attached.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create(LIMIT);
             AgentJvm app = AgentJvm.start(work, cgroup, List.of("-Xmx64m"), "dev.headroom.samples.Idle", "60")) {
            awaitLine(app, "idle ready");
            Process attach = new ProcessBuilder(AgentJvm.java(), "-jar", AgentJvm.AGENT_JAR.toAbsolutePath().toString(),
                    "attach", Long.toString(app.process.pid()), "eventLog=" + log + ",interval=100ms")
                    .redirectErrorStream(true).start();
            String output = new String(attach.getInputStream().readAllBytes());
            assertEquals(0, attach.waitFor(), output);
            List<JsonNode> events = new EventLogFile(log).awaitEvents(e -> EventLogFile.count(e, "start") == 1,
                    Duration.ofSeconds(30), app.process);
            JsonNode start = events.get(0);
            assertEquals("attach", start.get("startedBy").asText());
            assertEquals(LIMIT, start.get("limitBytes").asLong());
            assertFalse(start.get("jvm").get("version").asText().isEmpty());
        }
    }

    private static void awaitLine(AgentJvm app, String line) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!app.stdoutText().contains(line)) {
            if (System.nanoTime() > deadline || !app.process.isAlive()) {
                throw new AssertionError("the app never printed '" + line + "'; stderr: " + app.stderrText());
            }
            Thread.sleep(20);
        }
    }
}
