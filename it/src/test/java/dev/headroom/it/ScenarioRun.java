package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one {@link Scenario} in a real memory cgroup, with or without the agent, and gathers what
 * happened: how it ended, the kernel's OOM kill count, and the agent's events.
 *
 * @param endMillis   when the process was seen to end (the kill, for a killed one)
 * @param events      the agent's event log ({@code List.of()} without the agent)
 * @param scratch     where the run's files are (event log, dumps, the tmpfs or mapped files)
 */
record ScenarioRun(Scenario scenario, boolean withAgent, int exitCode, long startMillis, long endMillis,
                   long oomKills, List<JsonNode> events, Path scratch, String stderr) {

    static final long MIB = 1024L * 1024;

    /**
     * The sampling interval of these runs. The fastest scenario (30 MiB/s into a 512 MiB limit)
     * dies about 9 s after its JVM starts; at the default 1 s a forecast needs three samples, so the
     * warning comes 5 to 6 s before the kill, too close to the 5 s the test asks for to be
     * dependable. Half a second, as a user with fast-growing services would set, gives 6 to 8 s.
     */
    static final String INTERVAL = "500ms";

    static ScenarioRun run(Scenario s, boolean withAgent, Path scratchDir) throws Exception {
        Path scratch = scratchDir.toAbsolutePath();
        // Each run starts from an empty directory: the event log appends, and a flight file left by
        // an earlier run would be reported as this run's previous run.
        deleteTree(scratch);
        Files.createDirectories(scratch);
        Path log = scratch.resolve("events.jsonl");
        Path dumps = scratch.resolve("dumps");
        List<String> jvm = new ArrayList<>(s.jvmArgs());
        if (withAgent) {
            jvm.add(AgentJvm.agentOption("eventLog=" + log + ",dumpDir=" + dumps + ",interval=" + INTERVAL));
        }
        List<String> args = new ArrayList<>(s.args());
        Path shm = null;
        if (s.mainClass().endsWith("TmpfsGrowth")) {
            // A directory of our own on /dev/shm, removed afterwards: a killed run cannot delete its file.
            shm = Files.createTempDirectory(Path.of("/dev/shm"), "headroom-it-");
            args.add(shm.toString());
        } else if (s.mainClass().endsWith("MappedFileGrowth") || s.mainClass().endsWith("PageCacheChurn")
                || s.mainClass().endsWith("AnonIntoPageCache")) {
            // Their data files go on disk, in the run's own directory.
            args.add(scratch.toString());
        } else if (s.mainClass().endsWith("HealthyService")) {
            args.set(args.indexOf("-"), scratch.toString());
        }
        try (MemoryCgroup cgroup = MemoryCgroup.create(s.limitMiB() * MIB)) {
            long start = System.currentTimeMillis();
            AgentJvm app = AgentJvm.start(scratch.resolve("app"), cgroup, s.java(), jvm, List.of(), s.mainClass(),
                    args.toArray(String[]::new));
            int exit = app.waitFor(s.timeoutSeconds());
            long end = System.currentTimeMillis();
            long kills = cgroup.oomKills();
            List<JsonNode> events = withAgent ? new EventLogFile(log).events() : List.of();
            return new ScenarioRun(s, withAgent, exit, start, end, kills, events, scratch, app.stderrText());
        } finally {
            if (shm != null) {
                try (var files = Files.list(shm)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(shm);
            }
            deleteLeftovers(scratch);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Large data files the samples write (mapped, churned) are removed; the evidence is kept. */
    private static void deleteLeftovers(Path scratch) throws IOException {
        try (var files = Files.list(scratch)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (n.startsWith("headroom-mapped-") || n.startsWith("headroom-churn-")) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    boolean killed() {
        return exitCode == 137;
    }

    List<JsonNode> events(String name) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : events) {
            if (name.equals(e.path("event").asText())) {
                out.add(e);
            }
        }
        return out;
    }

    /** The first warning or critical, or {@code null}. */
    JsonNode firstAlert() {
        for (JsonNode e : events) {
            String n = e.path("event").asText();
            if (n.equals("warning") || n.equals("critical")) {
                return e;
            }
        }
        return null;
    }

    static long millis(JsonNode event) {
        return Instant.parse(event.get("time").asText()).toEpochMilli();
    }

    double secondsToEnd() {
        return (endMillis - startMillis) / 1000.0;
    }

    /** Seconds from the first alert to the end, or NaN without one. */
    double warningLeadSeconds() {
        JsonNode alert = firstAlert();
        return alert == null ? Double.NaN : (endMillis - millis(alert)) / 1000.0;
    }
}
