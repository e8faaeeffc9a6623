package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code limit} option on a machine whose cgroup has no limit (a laptop, a VM, a CI runner):
 * the agent watches its own process, not the cgroup that it shares with whatever else runs there.
 */
class LimitOptionIT {

    private static final long MIB = 1024 * 1024;
    private static final long LIMIT = 512 * MIB;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @BeforeAll
    static void needsCgroups() {
        MemoryCgroup.requireAvailable();
    }

    @Test
    void aSecondProcessEatingMemoryInTheSameUnlimitedCgroupIsNotCountedAndNothingIsWarned() throws Exception {
        Path log = work.resolve("events.jsonl");
        // -1: no limit (memory.limit_in_bytes' "unlimited"); the parents are the test's own, unlimited.
        try (MemoryCgroup cgroup = MemoryCgroup.create(-1);
             AgentJvm eater = AgentJvm.start(work.resolve("eater"), cgroup,
                     List.of("-Xms700m", "-Xmx700m", "-XX:+AlwaysPreTouch"), "dev.headroom.samples.Idle", "120")) {
            // AlwaysPreTouch writes every heap page before main: 700 MiB resident beside the app,
            // more than the app's 512 MiB limit on its own.
            eater.awaitStdout("idle ready", WAIT);
            try (AgentJvm app = AgentJvm.start(work.resolve("app"), cgroup, List.of(AgentJvm.agentOption(
                    "eventLog=" + log + ",interval=200ms,snapshotEvery=200ms,limit=512m"), "-Xmx64m"),
                    "dev.headroom.samples.Idle", "120")) {
                EventLogFile events = new EventLogFile(log);
                List<JsonNode> all = events.awaitEvents(e -> EventLogFile.count(e, "snapshot") >= 25, WAIT, app.process);
                long cgroupWorkingSet = cgroup.readLong("memory.usage_in_bytes") - cgroup.stat("total_inactive_file");
                // The set-up itself: the cgroup the two share is over the app's limit.
                assertTrue(cgroupWorkingSet > LIMIT, "the cgroup's working set " + cgroupWorkingSet / MIB + " MiB");

                JsonNode start = events.events("start").get(0);
                assertEquals("process", start.get("watched").asText(), start.toString());
                assertEquals(LIMIT, start.get("limitBytes").asLong());
                assertEquals("limit option", start.get("limitSource").asText());

                for (JsonNode s : all) {
                    if (!"snapshot".equals(s.path("event").asText())) {
                        continue;
                    }
                    long ws = s.get("workingSetBytes").asLong();
                    JsonNode p = s.get("process");
                    assertEquals(p.get("rssBytes").asLong(), ws, "the working set is the process's RSS in " + s);
                    assertTrue(ws < 256 * MIB, "a -Xmx64m idle JVM's RSS, not the cgroup's: " + ws / MIB + " MiB");
                    assertEquals("OK", s.get("level").asText(), s.toString());
                    long sum = 0;
                    boolean mappedFiles = false;
                    for (JsonNode part : s.get("breakdown")) {
                        String id = part.get("id").asText();
                        assertTrue(!id.equals("otherProcesses") && !id.equals("activePageCache") && !id.equals("kernel"),
                                "a part of the cgroup, not of the process: " + id + " in " + s);
                        mappedFiles |= id.equals("mappedFiles") && part.get("bytes").asLong() == p.get("rssFileBytes").asLong();
                        sum += part.get("bytes").asLong();
                    }
                    assertTrue(mappedFiles, "RssFile as the mapped files part in " + s);
                    assertEquals(ws, sum, "the breakdown adds up to the RSS in " + s);
                }
                assertEquals(0, EventLogFile.count(all, "warning") + EventLogFile.count(all, "critical"), all.toString());
                assertTrue(app.stderrText().contains("watching this process's own memory (RSS; cgroup v1 " + cgroup.path()
                        + " has no limit, so the processes beside it are not counted): limit 512.0 MiB (limit option)"),
                        app.stderrText());
                assertTrue(!app.stderrText().contains("WARNING") && !app.stderrText().contains("CRITICAL"),
                        app.stderrText());
            }
        }
    }
}
