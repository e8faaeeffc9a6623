package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory cgroup changing under a running agent: its files vanish or turn unreadable, the
 * process is moved to another cgroup, the limit is changed. The application runs on to its own
 * end, the agent says one line per failing source (not one per tick), keeps ticking, and follows
 * the cgroup wherever it goes.
 */
class FaultCgroupIT {

    private static final long MIB = 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @BeforeAll
    static void needsCgroups() {
        MemoryCgroup.requireAvailable();
    }

    /** Ways a cgroup's files stop being readable that root cannot wave away with its privileges. */
    enum Fault {
        /** The whole directory is gone (the container's cgroup was removed or remounted). */
        VANISHED {
            @Override
            void apply(CgroupFixture f) throws IOException {
                Files.move(f.memoryDir, f.memoryDir.resolveSibling("gone"));
            }

            @Override
            void undo(CgroupFixture f) throws IOException {
                Files.move(f.memoryDir.resolveSibling("gone"), f.memoryDir);
            }
        },
        /** memory.stat cannot be read (here: a directory stands where the file was). */
        UNREADABLE {
            @Override
            void apply(CgroupFixture f) throws IOException {
                Path stat = f.memoryDir.resolve("memory.stat");
                Files.move(stat, f.memoryDir.resolveSibling("memory.stat.saved"));
                Files.createDirectory(stat);
            }

            @Override
            void undo(CgroupFixture f) throws IOException {
                Path stat = f.memoryDir.resolve("memory.stat");
                Files.delete(stat);
                Files.move(f.memoryDir.resolveSibling("memory.stat.saved"), stat);
            }
        };

        abstract void apply(CgroupFixture f) throws IOException;

        abstract void undo(CgroupFixture f) throws IOException;
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void cgroupFilesThatFailMidRunAreReportedOnceAndReadAgainWhenTheyReturn(Fault fault) throws Exception {
        long limit = 300 * MIB;
        CgroupFixture fixture;
        try (MemoryCgroup source = MemoryCgroup.create(limit)) {
            fixture = CgroupFixture.create(work.resolve("tree"), source);
        }
        Path log = work.resolve("events.jsonl");
        try (AgentJvm app = AgentJvm.start(work, null,
                List.of(AgentJvm.agentOption(fixture.options() + ",eventLog=" + log
                        + ",interval=50ms,snapshotEvery=50ms"), "-Xmx64m"),
                "dev.headroom.samples.Idle", "12")) {
            EventLogFile events = new EventLogFile(log);
            Predicate<JsonNode> fromFixture = s -> CgroupFixture.CGROUP_PATH.equals(s.path("cgroup").path("path").asText())
                    && s.path("limitBytes").asLong() == limit;
            events.awaitEvents(e -> count(e, "snapshot", fromFixture, 0) >= 3, WAIT, app.process);

            fault.apply(fixture);
            List<JsonNode> during = events.awaitEvents(e -> problemIndex(e, "cgroup") >= 0
                    && count(e, "snapshot", s -> s.get("cgroup").isNull(), problemIndex(e, "cgroup")) >= 20,
                    WAIT, app.process);
            JsonNode problem = during.get(problemIndex(during, "cgroup"));
            assertTrue(problem.get("message").asText().contains(fixture.memoryDir.toString()),
                    "the problem names the directory: " + problem);

            fault.undo(fixture);
            int undone = events.events().size();
            List<JsonNode> after = events.awaitEvents(e -> count(e, "snapshot", fromFixture, undone) >= 3, WAIT,
                    app.process);

            assertEquals(1, after.stream().filter(e -> "problem".equals(e.path("event").asText())).count(),
                    "one problem event in all (the failure lasted " + (after.size() - undone) + "+ ticks): "
                            + after.stream().filter(e -> "problem".equals(e.path("event").asText())).toList());
            assertEquals(0, app.waitFor(60), "the application's exit code");
            assertTrue(app.stdoutText().contains("idle done"), "the application ran to its end");
            List<String> cgroupLines = agentLines(app).stream().filter(l -> l.startsWith("headroom: cgroup:")).toList();
            assertEquals(1, cgroupLines.size(), "one stderr line for the cgroup: " + agentLines(app));
        }
    }

    @Test
    void aProcessMovedToAnotherCgroupIsFollowedThere() throws Exception {
        Path log = work.resolve("moved.jsonl");
        try (MemoryCgroup a = MemoryCgroup.create(300 * MIB);
             MemoryCgroup b = MemoryCgroup.create(400 * MIB);
             AgentJvm app = AgentJvm.start(work, a,
                     List.of(AgentJvm.agentOption("eventLog=" + log + ",interval=50ms,snapshotEvery=50ms"),
                             "-Xmx64m"),
                     "dev.headroom.samples.Idle", "15")) {
            EventLogFile events = new EventLogFile(log);
            events.awaitEvents(e -> count(e, "snapshot", in(a, 300 * MIB), 0) >= 3, WAIT, app.process);

            b.write("cgroup.procs", Long.toString(app.process.pid()));
            int moved = events.events().size();
            List<JsonNode> after = events.awaitEvents(e -> count(e, "snapshot", in(b, 400 * MIB), moved) >= 3, WAIT,
                    app.process);

            JsonNode last = last(after, "snapshot");
            assertEquals(b.path(), last.get("cgroup").get("path").asText());
            assertTrue(last.get("limitSource").asText().contains("memory.limit_in_bytes"), last.toString());
            assertEquals(0, EventLogFile.count(after, "problem"), "a move is no problem: " + after);
            assertEquals(0, app.waitFor(60));
            assertTrue(app.stdoutText().contains("idle done"));
        }
    }

    @Test
    void aLimitChangedAtRunTimeIsFollowed() throws Exception {
        Path log = work.resolve("limits.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create(300 * MIB);
             AgentJvm app = AgentJvm.start(work, cgroup,
                     List.of(AgentJvm.agentOption("eventLog=" + log + ",interval=50ms,snapshotEvery=50ms"),
                             "-Xmx64m"),
                     "dev.headroom.samples.Idle", "15")) {
            EventLogFile events = new EventLogFile(log);
            events.awaitEvents(e -> count(e, "snapshot", in(cgroup, 300 * MIB), 0) >= 3, WAIT, app.process);

            for (long limit : new long[] {450 * MIB, 200 * MIB}) {
                cgroup.write("memory.limit_in_bytes", Long.toString(limit));
                int changed = events.events().size();
                events.awaitEvents(e -> count(e, "snapshot", in(cgroup, limit), changed) >= 3, WAIT, app.process);
            }
            assertEquals(0, EventLogFile.count(events.events(), "problem"), events.events().toString());
            assertEquals(0, app.waitFor(60));
            assertTrue(app.stdoutText().contains("idle done"));
        }
    }

    private static Predicate<JsonNode> in(MemoryCgroup cgroup, long limit) {
        return s -> cgroup.path().equals(s.path("cgroup").path("path").asText()) && s.path("limitBytes").asLong() == limit;
    }

    static long count(List<JsonNode> events, String name, Predicate<JsonNode> matching, int from) {
        long n = 0;
        for (int i = Math.max(from, 0); i < events.size(); i++) {
            JsonNode e = events.get(i);
            if (name.equals(e.path("event").asText()) && matching.test(e)) {
                n++;
            }
        }
        return n;
    }

    private static int problemIndex(List<JsonNode> events, String source) {
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            if ("problem".equals(e.path("event").asText()) && source.equals(e.path("source").asText())) {
                return i;
            }
        }
        return -1;
    }

    static JsonNode last(List<JsonNode> events, String name) {
        JsonNode found = null;
        for (JsonNode e : events) {
            if (name.equals(e.path("event").asText())) {
                found = e;
            }
        }
        return found;
    }

    /** The agent's own stderr lines. */
    static List<String> agentLines(AgentJvm app) throws IOException {
        return app.stderrText().lines().filter(l -> l.startsWith("headroom:")).toList();
    }
}
