package dev.headroom.it;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent on a real cgroup v2 kernel: one {@link V2Guest} boot runs every scenario of
 * {@link V2GuestDriver} inside (each boot and JVM start costs tens of seconds under TCG), and each test
 * here asserts on what one scenario left: the kernel's own files as read in the guest, and the agent's
 * event log. In CI ({@code CI=true}) a missing QEMU fails the suite instead of skipping it.
 */
class CgroupV2IT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The scenarios in two guests booted side by side, one host core each (single-threaded TCG
     * keeps a guest on one): half the suite's time (776 s of scenarios one after another). Split by
     * their measured length; a restart scenario stays in the guest of the run it follows.
     */
    static final List<List<String>> GUESTS = List.of(
            List.of("high", "oom", "oom-restart", "pod-limit"),
            List.of("page-cache", "sigkill", "live", "namespace", "namespace-no-remount"));
    private static final List<Path> runs = new ArrayList<>();
    private static final List<V2Guest.Result> guests = new ArrayList<>();

    @BeforeAll
    static void bootTheGuestsForAllScenarios() throws Exception {
        Prerequisites.require(V2Guest.qemuInstalled(), "QEMU (qemu-system-x86_64), to boot a real cgroup v2 kernel",
                "apt-get install qemu-system-x86 (bash .ci/run installs it)");
        // For work on one scenario: -Dit.v2Scenarios="oom oom-restart" runs only those, in one guest (the
        // tests of the others then fail for want of a result).
        String only = System.getProperty("it.v2Scenarios", "");
        List<List<String>> split = only.isBlank() ? GUESTS : List.of(List.of(only.trim().split("\\s+")));
        List<String> all = split.stream().flatMap(List::stream).toList();
        assertTrue(!only.isBlank() || (all.size() == V2GuestDriver.SCENARIOS.size()
                && all.containsAll(V2GuestDriver.SCENARIOS)), "every scenario in one guest: " + split);
        V2Guest images = V2Guest.cached();
        // The kernel and initramfs are made once, before the guests share them.
        images.prepare();
        List<java.util.concurrent.CompletableFuture<V2Guest.Result>> running = new ArrayList<>();
        for (int i = 0; i < split.size(); i++) {
            Path run = Path.of("target", "v2-guest", "runs", "it-" + (i + 1)).toAbsolutePath();
            ScenarioRun.deleteTree(run);
            Files.createDirectories(run);
            runs.add(run);
            String script = "cd '" + Path.of("").toAbsolutePath() + "' && exec '" + AgentJvm.java() + "' -cp '"
                    + String.join(":", driverClassPath()) + "' -Dit.agentJar='" + AgentJvm.AGENT_JAR.toAbsolutePath()
                    + "' -Dit.samplesJar='" + AgentJvm.SAMPLES_JAR.toAbsolutePath() + "' "
                    + V2GuestDriver.class.getName() + " '" + run + "' " + String.join(" ", split.get(i)) + "\n";
            running.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return images.run(script, run, Integer.getInteger("it.v2GuestTimeout", 1800));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }));
        }
        // Every guest waited for before any failure is thrown: none may be left running (each holds a core).
        Throwable failed = null;
        for (var r : running) {
            try {
                V2Guest.Result guest = r.join();
                guests.add(guest);
                System.out.printf("v2 guest %s: %.1f s, exit %d%n%s%s", guest.runDir().getFileName(), guest.seconds(),
                        guest.exitCode(), guest.stdout(), guest.stderr());
            } catch (java.util.concurrent.CompletionException e) {
                failed = failed == null ? e.getCause() : failed;
            }
        }
        if (failed instanceof Error error) {
            throw error;
        }
        if (failed != null) {
            throw new IllegalStateException("a v2 guest failed", failed);
        }
    }

    /** The driver and what it needs: these test classes and Jackson (the agent jar shades its own). */
    private static List<String> driverClassPath() throws URISyntaxException {
        List<String> cp = new ArrayList<>();
        for (Class<?> c : List.of(V2GuestDriver.class, ObjectMapper.class, JsonFactory.class, JsonProperty.class)) {
            cp.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
        return cp;
    }

    /** The run directory of the guest that ran this scenario (the first, when none did). */
    private static Path runOf(String scenario) {
        for (Path run : runs) {
            if (Files.exists(run.resolve(scenario + ".json"))) {
                return run;
            }
        }
        return runs.get(0);
    }

    private static JsonNode result(String scenario) throws IOException {
        Path file = runOf(scenario).resolve(scenario + ".json");
        if (!Files.exists(file)) {
            StringBuilder said = new StringBuilder();
            for (V2Guest.Result g : guests) {
                said.append("guest ").append(g.runDir()).append(" stdout:\n").append(g.stdout()).append("\nstderr:\n")
                        .append(g.stderr()).append("\nconsole:\n").append(g.console()).append('\n');
            }
            throw new AssertionError("the guests wrote no result for " + scenario + "; " + said);
        }
        JsonNode r = JSON.readTree(file.toFile());
        assertFalse(r.has("error"), scenario + " failed in the guest:\n" + r.path("error").asText());
        return r;
    }

    private static List<JsonNode> events(String scenario) throws IOException {
        return new EventLogFile(runOf(scenario).resolve(scenario).resolve("events.jsonl")).events();
    }

    private static List<JsonNode> named(List<JsonNode> events, String name) {
        return events.stream().filter(e -> name.equals(e.path("event").asText())).toList();
    }

    private static JsonNode start(String scenario) throws IOException {
        List<JsonNode> starts = named(events(scenario), "start");
        assertEquals(1, starts.size(), scenario + ": one start event");
        return starts.get(0);
    }

    // ---- limits and paths ---------------------------------------------------------------------------

    @Test
    void theLimitIsExactlyWhatMemoryMaxSays() throws IOException {
        JsonNode r = result("live");
        JsonNode start = start("live");
        assertEquals(2, start.get("cgroupVersion").asInt());
        assertEquals(r.get("path").asText(), start.get("cgroupPath").asText());
        assertEquals(r.get("memoryMax").asLong(), start.get("limitBytes").asLong(), "memory.max as the kernel prints it");
        assertEquals("cgroup v2 memory.max of " + r.get("path").asText(), start.get("limitSource").asText());
    }

    @Test
    void aLimitRaisedAndThenLoweredAtRunTimeIsSeenWithinTwoSeconds() throws IOException {
        JsonNode r = result("live");
        JsonNode steps = r.get("steps");
        for (int i = 0; i < 2; i++) {
            JsonNode step = steps.get(i);
            assertEquals(step.get("kernelLimit").asLong(), step.get("snapshot").get("limitBytes").asLong());
            long lag = step.get("seenMillis").asLong() - step.get("changedMillis").asLong();
            assertTrue(lag <= 2000, step.get("what").asText() + " seen " + lag + " ms after the write");
        }
        assertTrue(steps.get(0).get("kernelLimit").asLong() > r.get("memoryMax").asLong(), "first raised");
        assertTrue(steps.get(1).get("kernelLimit").asLong() < r.get("memoryMax").asLong(), "then lowered");
    }

    @Test
    void aProcessMovedToAnotherCgroupIsFollowedWithItsLimitAndItsPressureFile() throws IOException {
        JsonNode r = result("live");
        JsonNode moved = r.get("steps").get(2).get("snapshot");
        assertEquals(r.get("movedPath").asText(), moved.get("cgroup").get("path").asText());
        assertEquals(r.get("steps").get(2).get("kernelLimit").asLong(), moved.get("limitBytes").asLong());
        assertEquals(r.get("movedPressure").asText(), moved.get("cgroup").get("pressure").get("source").asText());
    }

    @Test
    void theCgroupsOwnPressureFileIsReadNotTheHostWideOne() throws IOException {
        JsonNode r = result("live");
        JsonNode first = named(events("live"), "snapshot").get(0);
        assertEquals(r.get("pressureFile").asText(), first.get("cgroup").get("pressure").get("source").asText());
    }

    @Test
    void aLimitSetOnlyOnThePodSliceBindsTheContainerInKubernetesNestedSlices() throws IOException {
        JsonNode r = result("pod-limit");
        JsonNode start = start("pod-limit");
        assertEquals("max", r.get("scopeMax").asText(), "the container's own cgroup has no limit");
        assertEquals(r.get("path").asText(), start.get("cgroupPath").asText());
        assertEquals(r.get("podMax").asLong(), start.get("limitBytes").asLong());
        assertEquals("cgroup v2 memory.max of " + r.get("podPath").asText(), start.get("limitSource").asText());
    }

    @Test
    void inAPrivateCgroupNamespaceTheContainerSeesItselfAtTheRootWithItsOwnLimit() throws IOException {
        JsonNode r = result("namespace");
        assertTrue(r.get("view").asText().startsWith("0::/\n"), "the process sees itself at /: " + r.get("view"));
        JsonNode start = start("namespace");
        assertEquals("/", start.get("cgroupPath").asText());
        assertEquals(r.get("scopeMax").asLong(), start.get("limitBytes").asLong(),
                "the container's memory.max (the pod's is above the namespace's root, out of sight)");
    }

    @Test
    void inAPrivateCgroupNamespaceUnderTheHostsMountTheContainerIsFoundBelowTheDotDotRoot() throws IOException {
        JsonNode r = result("namespace-no-remount");
        assertTrue(r.get("view").asText().contains(" /../../../.. /sys/fs/cgroup "),
                "the old mount's root lies above the namespace: " + r.get("view"));
        JsonNode start = start("namespace-no-remount");
        assertEquals(2, start.path("cgroupVersion").asInt(), start.toString());
        assertEquals(r.get("scopeMax").asLong(), start.get("limitBytes").asLong(), start.toString());
    }

    // ---- memory.high, events, pressure, notices ----------------------------------------------------

    @Test
    void memoryHighIsTheThrottlingLineAndItsEventsRaiseAWarningWithoutAKill() throws IOException {
        JsonNode r = result("high");
        List<JsonNode> events = events("high");
        JsonNode kernel = r.get("kernelEventsWhileThrottled");
        assertTrue(r.get("aliveWhenStopped").asBoolean(), "throttled, not killed: " + r.get("stderr"));
        assertTrue(kernel.get("high").asLong() > 0, "the kernel throttled it: " + kernel);
        assertEquals(0, kernel.get("max").asLong(), "memory.max was never reached: " + kernel);
        assertEquals(0, r.get("kernelEvents").get("oom_kill").asLong(), r.get("kernelEvents").toString());
        List<JsonNode> snapshots = named(events, "snapshot");
        for (JsonNode s : snapshots) {
            assertEquals(r.get("memoryHigh").asLong(), s.get("cgroup").get("highBytes").asLong(), "memory.high");
            assertEquals(r.get("memoryMax").asLong(), s.get("limitBytes").asLong(), "memory.max stays the limit");
        }
        long agentHigh = snapshots.get(snapshots.size() - 1).get("cgroup").get("events").get("high").asLong();
        assertTrue(agentHigh > 0 && agentHigh <= r.get("kernelEvents").get("high").asLong(),
                "the agent's memory.events high " + agentHigh + " against the kernel's " + r.get("kernelEvents"));
        List<JsonNode> warnings = named(events, "warning");
        assertFalse(warnings.isEmpty(), "a warning when throttled: " + events);
        // Which reason comes first depends on the guest's timing: the rise of memory.events high,
        // PSI's stall share, or (seen in 1 of 2 quiet CI runs) the forecast of the ramp before the
        // throttling line, which is a true warning too. Printed, not asserted (issue 14 stays open).
        String reasons = warnings.get(0).get("reasons").toString();
        System.out.println("memory.high: first warning's reasons " + reasons);
        assertTrue(named(events, "critical").isEmpty(), "throttling alone is not a kill coming");
    }

    @Test
    void perCgroupPressureRisesWhileThrottledAndTheAgentReadsTheSameFile() throws IOException {
        JsonNode r = result("high");
        String kernel = r.get("kernelPressure").asText();
        long someTotal = Long.parseLong(kernel.lines().findFirst().orElseThrow().replaceAll(".*total=", ""));
        assertTrue(someTotal > 0, "the kernel's memory.pressure: " + kernel);
        long agentMax = 0;
        for (JsonNode s : named(events("high"), "snapshot")) {
            JsonNode p = s.get("cgroup").get("pressure");
            assertEquals(r.get("pressureFile").asText(), p.get("source").asText());
            agentMax = Math.max(agentMax, p.get("someTotalMicros").asLong());
        }
        assertTrue(agentMax > 0 && agentMax <= someTotal, "the agent's some total " + agentMax + " of " + someTotal);
        // Used, not only read: a stall share at the agent's threshold (psiSomeAvg10, 10 %) is pressure.
        boolean stalled = false;
        for (JsonNode s : named(events("high"), "snapshot")) {
            if (s.get("cgroup").get("pressure").get("someAvg10").asDouble() >= 10) {
                stalled = true;
                assertFalse("OK".equals(s.get("level").asText()), "stalling on memory yet OK: " + s);
            }
        }
        // Whether one of the agent's samples (one in 10 s) met a stall share of 10 % depends on the
        // guest's timing (it did in the helper's runs, not in 1 of 2 quiet CI runs): printed, and
        // where it did, the level must not have been OK (above).
        System.out.println("memory.high: a snapshot saw someAvg10 >= 10: " + stalled);
    }

    @Test
    void everyChangeOfMemoryEventsThatAPollSawCameWithTheKernelsNotice() throws IOException {
        JsonNode n = result("high").get("notices");
        assertTrue(n.get("changesPolled").asInt() > 0, "memory.events changed while throttled: " + n);
        assertTrue(n.get("notices").asInt() > 0, n.toString());
        // Measured: 0 of 225 and of 398 changes missed with the guest alone on the host, 1 of 398 with
        // two guests side by side (their polls and notices then lag by up to 60 ms). A notice only
        // brings a tick forward; the next tick reads the counts anyway. So: at most 1 in 100 missed.
        int missed = n.get("changesWithoutNotice").asInt();
        assertTrue(missed * 100 <= n.get("changesPolled").asInt(), "changes the notices missed: " + n);
    }

    // ---- kills ----------------------------------------------------------------------------------------

    @Test
    void aRealOomKillWithOomGroupEndsTheWholeContainerAfterAWarningAtLeastFiveSecondsEarlier() throws IOException {
        JsonNode r = result("oom");
        String context = r.get("stderr").asText();
        assertEquals(137, r.get("exitCode").asInt(), context);
        JsonNode kernel = r.get("kernelEvents");
        assertTrue(kernel.get("oom_kill").asLong() >= 1, kernel.toString());
        assertEquals("1", r.get("oomGroup").asText());
        assertTrue(kernel.get("oom_group_kill").asLong() >= 1, "memory.oom.group killed the group: " + kernel);
        assertTrue(r.get("sidecarEnded").asBoolean(), "the second process went with the JVM");
        assertEquals(137, r.get("sidecarExit").asInt());
        assertTrue(r.get("podEvents").get("oom_kill").asLong() >= 1, "the pod counts it: " + r.get("podEvents"));
        List<JsonNode> events = events("oom");
        JsonNode alert = events.stream().filter(e -> e.path("event").asText().matches("warning|critical"))
                .findFirst().orElse(null);
        assertNotNull(alert, "a warning before the kill: " + context);
        double lead = (r.get("endMillis").asLong() - ScenarioRun.millis(alert)) / 1000.0;
        assertTrue(lead >= 5, "warning " + lead + " s before the kill");
        assertEquals(r.get("memoryMax").asLong(), start("oom").get("limitBytes").asLong());
    }

    @Test
    void theOomKilledRunLeftACompleteHeapDumpWithTheLeakingClass() throws IOException {
        result("oom");
        List<JsonNode> dumps = named(events("oom"), "heapDump");
        assertEquals(1, dumps.size(), "one heap dump: " + events("oom"));
        Path dump = Path.of(dumps.get(0).get("path").asText());
        assertEquals(Files.size(dump), dumps.get(0).get("bytes").asLong());
        Hprof.Summary hprof = Hprof.read(dump);
        assertTrue(hprof.endRecordSeen(), "complete to its HEAP DUMP END record");
        assertTrue(hprof.instances("dev.headroom.samples.HeapGrowth$LeakedOrder") > 1000);
        Files.delete(dump);
    }

    @Test
    void theRestartedContainerIsToldItsPreviousRunWasOomKilled() throws IOException {
        JsonNode r = result("oom-restart");
        assertTrue(r.get("podEvents").get("oom_kill").asLong() >= 1, "the pod kept counting: " + r.get("podEvents"));
        List<JsonNode> previous = named(new EventLogFile(Path.of(r.get("eventLog").asText())).events(), "previousRun");
        assertEquals(1, previous.size());
        JsonNode p = previous.get(0);
        assertTrue(p.get("endedAbruptly").asBoolean(), p.toString());
        assertEquals("oomKill", p.get("endedBy").asText(), p.toString());
    }

    @Test
    void anotherSigkillIsToldApartFromAnOomKill() throws IOException {
        JsonNode r = result("sigkill");
        assertEquals(137, r.get("exitCode").asInt(), "exit 137 like an OOM kill");
        assertEquals(0, r.get("kernelEvents").get("oom_kill").asLong());
        JsonNode restart = r.get("restart");
        List<JsonNode> previous = named(new EventLogFile(Path.of(restart.get("eventLog").asText())).events(),
                "previousRun");
        assertEquals(1, previous.size());
        JsonNode p = previous.get(0);
        assertTrue(p.get("endedAbruptly").asBoolean(), p.toString());
        assertEquals("otherKill", p.get("endedBy").asText(), p.toString());
    }

    /**
     * Healthy: a file twice the limit read and written through the page cache, on the guest's ext4
     * disk. The cgroup meets memory.max again and again (reclaim drops clean cache), nobody is
     * killed, and the agent says nothing: no warning, no critical level, no heap dump.
     */
    @Test
    void aFileTwiceTheLimitThroughThePageCacheFillsTheCgroupToMemoryMaxAndGivesNoAlarm() throws IOException {
        JsonNode r = result("page-cache");
        String context = r.path("stderr").asText();
        assertEquals(0, r.get("exitCode").asInt(), context);
        JsonNode kernel = r.get("kernelEvents");
        assertEquals(0, kernel.get("oom_kill").asLong(), kernel.toString());
        assertTrue(kernel.get("max").asLong() > 0, "the page cache met memory.max, and reclaim ran: " + kernel);
        List<JsonNode> events = events("page-cache");
        assertEquals(List.of(), named(events, "warning"), context);
        assertEquals(List.of(), named(events, "critical"), context);
        assertEquals(List.of(), named(events, "heapDump"), context);
        assertEquals(1, named(events, "stop").size(), "a clean exit: " + context);
    }
}
