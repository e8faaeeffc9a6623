package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM around the agent being unusual: a Micrometer registry that throws, the agent attached
 * a second time, 2,000 threads, Native Memory Tracking on, and a runtime without the management
 * modules the agent reads through. The application always runs on to its own end.
 */
class FaultJvmIT {

    private static final long MIB = 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @BeforeAll
    static void needsCgroups() {
        MemoryCgroup.requireAvailable();
    }

    @Test
    void aMeterRegistryThatThrowsIsReportedOnceAndTheApplicationRunsOn() throws Exception {
        Path log = work.resolve("events.jsonl");
        try (AgentJvm app = AgentJvm.start(work, null,
                List.of(AgentJvm.agentOption("eventLog=" + log + ",interval=100ms,snapshotEvery=100ms"), "-Xmx64m"),
                micrometerJars(), "dev.headroom.samples.ThrowingMeters", "5")) {
            assertEquals(0, app.waitFor(60), "the application's exit code; stderr:\n" + app.stderrText());
            String out = app.stdoutText();
            assertTrue(out.contains("throwing-meters done"), out);
            // Not asserted: Metrics.addRegistry(refusing) throws into the application, because
            // Micrometer's CompositeMeterRegistry.add copies every meter of the global registry
            // (Headroom's among them) into the new child without a guard. Any meter there does
            // that; Headroom's make it happen in an application whose global registry was empty.

            List<String> agent = FaultCgroupIT.agentLines(app);
            List<String> refusals = agent.stream().filter(l -> l.contains("RefusingRegistry")).toList();
            assertEquals(1, refusals.size(), "one line for the refusing registry: " + agent + "\n" + out);
            assertTrue(refusals.get(0).contains("(said once; its other meters are still bound)"), refusals.get(0));
            // The agent kept ticking all along.
            List<JsonNode> events = new EventLogFile(log).events();
            assertTrue(EventLogFile.count(events, "snapshot") >= 50, "snapshots every 100 ms for 8 s: " + events.size());
            // The refusal is the one problem, in the event log too (issue 13), with source micrometer.
            List<JsonNode> problems = new EventLogFile(log).events("problem");
            assertEquals(1, problems.size(), problems.toString());
            assertEquals("micrometer", problems.get(0).path("source").asText(), problems.toString());
            assertTrue(problems.get(0).path("message").asText().contains("RefusingRegistry"), problems.toString());
        }
    }

    @Test
    void aSecondAttachIntoARunningAgentSaysSoExitsNonZeroAndStartsNothing() throws Exception {
        Path log = work.resolve("events.jsonl");
        try (AgentJvm app = AgentJvm.start(work, null,
                List.of(AgentJvm.agentOption("eventLog=" + log + ",interval=100ms"), "-Xmx64m"),
                "dev.headroom.samples.Idle", "60")) {
            EventLogFile events = new EventLogFile(log);
            events.awaitEvents(e -> EventLogFile.count(e, "start") == 1, WAIT, app.process);

            for (int i = 0; i < 2; i++) {
                Process attach = new ProcessBuilder(AgentJvm.java(), "-jar",
                        AgentJvm.AGENT_JAR.toAbsolutePath().toString(), "attach", Long.toString(app.process.pid()),
                        "eventLog=" + work.resolve("second.jsonl")).redirectErrorStream(true).start();
                String output = new String(attach.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertEquals(1, attach.waitFor(), output);
                assertEquals("headroom: attach: the agent is already running in process " + app.process.pid()
                        + " (started by premain); nothing was loaded, its options stay as they were ('eventLog="
                        + work.resolve("second.jsonl") + "' was not applied)", output.strip());
            }
            assertEquals(1, AgentJvm.threadsNamed(app.process.pid(), "headroom"), "one agent thread");
            assertEquals(1, EventLogFile.count(events.events(), "start"));
            assertFalse(Files.exists(work.resolve("second.jsonl")), "the second start opened nothing");
            assertTrue(app.process.isAlive());
        }
    }

    @Test
    void anAttachAfterMalformedOptionsStartsTheAgent() throws Exception {
        // The agent that stayed off must not count as running: the corrected attach starts it.
        Path log = work.resolve("events.jsonl");
        try (AgentJvm app = AgentJvm.start(work, null, List.of(AgentJvm.agentOption("interval=soon"), "-Xmx64m"),
                "dev.headroom.samples.Idle", "60")) {
            awaitStderr(app, "agent disabled", 1);
            Process attach = new ProcessBuilder(AgentJvm.java(), "-jar", AgentJvm.AGENT_JAR.toAbsolutePath().toString(),
                    "attach", Long.toString(app.process.pid()), "eventLog=" + log + ",interval=100ms")
                    .redirectErrorStream(true).start();
            String output = new String(attach.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, attach.waitFor(), output);
            new EventLogFile(log).awaitEvents(e -> EventLogFile.count(e, "start") == 1, WAIT, app.process);
        }
    }

    @Test
    void twoThousandThreadsAreCountedAndTheTickKeepsItsPace() throws Exception {
        Path log = work.resolve("events.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create(1024 * MIB);
             AgentJvm app = AgentJvm.start(work, cgroup,
                     List.of(AgentJvm.agentOption("eventLog=" + log + ",interval=100ms,snapshotEvery=100ms"),
                             "-Xmx64m"),
                     "dev.headroom.samples.ManyThreads", "2000", "8")) {
            EventLogFile events = new EventLogFile(log);
            List<JsonNode> all = events.awaitEvents(e -> FaultCgroupIT.count(e, "snapshot",
                    s -> s.get("jvm").get("threads").asInt() >= 2000, 0) >= 30, WAIT, app.process);

            List<JsonNode> busy = new ArrayList<>();
            for (JsonNode s : all) {
                if ("snapshot".equals(s.path("event").asText()) && s.get("jvm").get("threads").asInt() >= 2000) {
                    busy.add(s);
                    assertTrue(s.get("process").get("threads").asInt() >= 2000, s.get("process").toString());
                    assertTrue(s.get("breakdown").toString().contains("\"threadStacks\""), "thread stacks are a part");
                }
            }
            // 30 snapshots at 100 ms: the sampling kept (nearly) its pace with 2,000 threads to count.
            long span = java.time.Instant.parse(busy.get(busy.size() - 1).get("time").asText()).toEpochMilli()
                    - java.time.Instant.parse(busy.get(0).get("time").asText()).toEpochMilli();
            assertTrue(span < (busy.size() - 1) * 100L * 2, "the ticks' pace: " + busy.size() + " in " + span + " ms");
            assertEquals(0, app.waitFor(60));
            assertTrue(app.stdoutText().contains("many-threads done"));
            assertEquals(0, EventLogFile.count(events.events(), "problem"), events.events().toString());
        }
    }

    @Test
    void withNativeMemoryTrackingTheBreakdownHasNmtPartsAndAWarningLeavesNmtEvidence() throws Exception {
        Path log = work.resolve("events.jsonl");
        Path evidence = work.resolve("evidence");
        try (MemoryCgroup cgroup = MemoryCgroup.create(300 * MIB);
             AgentJvm app = AgentJvm.start(work, cgroup,
                     List.of(AgentJvm.agentOption("eventLog=" + log + ",interval=100ms,snapshotEvery=100ms,"
                                     + "nmtEvery=100ms,dumpDir=" + evidence + ",warnShare=0.01,criticalShare=1"),
                             // Above the limit: share alarms count only when the ceilings do not fit (issue 11).
                             "-Xmx1g", "-XX:NativeMemoryTracking=summary"),
                     "dev.headroom.samples.Idle", "4")) {
            assertEquals(0, app.waitFor(60));
            assertTrue(app.stdoutText().contains("idle done"));
            List<JsonNode> events = new EventLogFile(log).events();
            assertTrue(events.get(0).get("jvm").get("nmt").asBoolean(), "start says NMT is on");
            JsonNode last = FaultCgroupIT.last(events, "snapshot");
            List<String> ids = new ArrayList<>();
            last.get("breakdown").forEach(p -> ids.add(p.get("id").asText()));
            assertTrue(ids.containsAll(List.of("nmt.javaHeap", "nmt.class", "nmt.thread", "nmt.code", "nmt.gc")),
                    ids.toString());
            assertTrue(last.get("jvm").get("nmtCommittedBytes").asLong() > 0, last.get("jvm").toString());

            JsonNode nmt = FaultCgroupIT.last(events, "nmtSnapshot");
            assertEquals("DONE", nmt.get("status").asText(), nmt.toString());
            for (String key : List.of("summaryPath", "diffPath")) {
                Path file = Path.of(nmt.get(key).asText());
                assertTrue(Files.readString(file).contains("Native Memory Tracking"), key);
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            }
        }
    }

    @Test
    void withNativeMemoryTrackingOffTheBreakdownHasNoNmtParts() throws Exception {
        Path log = work.resolve("events.jsonl");
        try (AgentJvm app = AgentJvm.start(work, null,
                List.of(AgentJvm.agentOption("eventLog=" + log + ",interval=100ms,snapshotEvery=100ms"), "-Xmx64m"),
                "dev.headroom.samples.Idle", "2")) {
            assertEquals(0, app.waitFor(60));
            List<JsonNode> events = new EventLogFile(log).events();
            assertFalse(events.get(0).get("jvm").get("nmt").asBoolean());
            JsonNode last = FaultCgroupIT.last(events, "snapshot");
            assertFalse(last.get("breakdown").toString().contains("\"nmt."), last.get("breakdown").toString());
            assertTrue(last.get("breakdown").toString().contains("\"heap\""));
            assertEquals(0, EventLogFile.count(events, "problem"), "NMT off is no problem: " + events);
        }
    }

    @Test
    void aRuntimeWithoutTheManagementModulesStillGetsTheCgroupWatchedAndOneLine() throws Exception {
        Path log = work.resolve("events.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create(300 * MIB);
             AgentJvm app = AgentJvm.start(work, cgroup,
                     List.of("--limit-modules", "java.base,java.instrument",
                             AgentJvm.agentOption("eventLog=" + log + ",interval=100ms,snapshotEvery=100ms"),
                             "-Xmx64m"),
                     "dev.headroom.samples.Idle", "3")) {
            assertEquals(0, app.waitFor(60));
            assertTrue(app.stdoutText().contains("idle done"));

            List<String> lines = FaultCgroupIT.agentLines(app);
            assertTrue(lines.get(0).startsWith("headroom: watching cgroup v1 " + cgroup.path()), lines.get(0));
            List<String> missing = lines.stream().filter(l -> l.contains("java.management")).toList();
            assertEquals(1, missing.size(), "one line on what is missing: " + lines);
            assertTrue(missing.get(0).startsWith("headroom: runtime: this runtime has no java.management, jdk.jfr"
                    + " modules:"), missing.get(0));
            assertTrue(lines.stream().noneMatch(l -> l.contains("Error") || l.contains("stopped")), lines.toString());

            List<JsonNode> events = new EventLogFile(log).events();
            List<JsonNode> problems = events.stream().filter(e -> "problem".equals(e.path("event").asText())).toList();
            assertEquals(1, problems.size(), problems.toString());
            assertEquals("runtime", problems.get(0).get("source").asText());
            assertTrue(EventLogFile.count(events, "snapshot") >= 20, "it kept ticking: " + events.size() + " events");
            JsonNode last = FaultCgroupIT.last(events, "snapshot");
            assertEquals(300 * MIB, last.get("limitBytes").asLong(), "the cgroup is still read");
            assertTrue(last.get("jvm").get("heapUsedBytes").isNull(), "no MXBeans, no heap figure: " + last.get("jvm"));
            assertTrue(last.get("process").get("rssBytes").asLong() > 0, "/proc is still read");
            assertEquals(1, EventLogFile.count(events, "stop"), "a clean stop at exit");
        }
    }

    /** Micrometer and what it needs, from this test's own class path (sample-apps depends on it). */
    private static List<Path> micrometerJars() {
        List<Path> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("micrometer-") || name.startsWith("HdrHistogram") || name.startsWith("LatencyUtils")
                    || name.startsWith("jspecify")) {
                jars.add(Path.of(entry));
            }
        }
        assertTrue(jars.stream().anyMatch(p -> p.getFileName().toString().startsWith("micrometer-core")),
                "micrometer-core on the test class path: " + jars);
        return jars;
    }

    private static void awaitStderr(AgentJvm app, String text, int times) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (app.stderrText().lines().filter(l -> l.contains(text)).count() < times) {
            if (System.nanoTime() > deadline || !app.process.isAlive()) {
                throw new AssertionError("stderr never said '" + text + "' " + times + " times: " + app.stderrText());
            }
            Thread.sleep(20);
        }
    }
}
