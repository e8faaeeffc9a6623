package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs inside the {@link V2Guest}, as root, in the guest's pure cgroup2 hierarchy: every v2 scenario
 * one after the other (one boot for all, since each boot and each JVM start is slow under TCG), each
 * with the agent in a real cgroup it makes. For every scenario it writes {@code <name>.json} to the
 * shared directory: what the kernel's own files said (read here, in the guest) and where the agent's
 * event log is; {@link CgroupV2IT}, on the host, asserts on them.
 *
 * <p>Sizes and rates are scaled to the guest: TCG runs code about 20 times slower than the host, so
 * the growing app leaks 1 MiB/s into a 256 MiB limit where the v1 tests leak 30 MiB/s into 512 MiB.
 */
public final class V2GuestDriver {

    static final ObjectMapper JSON = new ObjectMapper();
    static final long MIB = 1024L * 1024;
    /** Every scenario, in the order they run (the restart ones read what the ones before left). */
    static final List<String> SCENARIOS = List.of("live", "pod-limit", "namespace", "namespace-no-remount",
            "high", "oom", "oom-restart", "sigkill", "page-cache");
    static final String POD = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
            + "5f0d7a3c_8a1e_4c2b_9a61_0d3e4b5c6d7e.slice";

    private final Path out;
    /** The pod's slice, kept from a container's kill to its restart, as the kubelet keeps it. */
    private V2Cgroup pod;

    private V2GuestDriver(Path out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        List<String> only = args.length > 1 ? List.of(args).subList(1, args.length) : SCENARIOS;
        V2GuestDriver driver = new V2GuestDriver(out);
        for (String name : SCENARIOS) {
            if (!only.contains(name)) {
                continue;
            }
            ObjectNode result = JSON.createObjectNode();
            result.put("scenario", name);
            long start = System.currentTimeMillis();
            try {
                driver.run(name, result);
            } catch (Throwable t) {
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                result.put("error", trace.toString());
            }
            result.put("seconds", (System.currentTimeMillis() - start) / 1000.0);
            JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve(name + ".json").toFile(), result);
            System.out.printf("%s: %.1f s%s%n", name, result.get("seconds").asDouble(),
                    result.has("error") ? " ERROR" : "");
        }
    }

    private void run(String name, ObjectNode r) throws Exception {
        switch (name) {
            case "live" -> live(r);
            case "pod-limit" -> podLimit(r);
            case "namespace" -> namespace(r, true);
            case "namespace-no-remount" -> namespace(r, false);
            case "high" -> high(r);
            case "oom" -> oom(r);
            case "oom-restart" -> restart(r, "oom");
            case "sigkill" -> sigkill(r);
            case "page-cache" -> pageCache(r);
            default -> throw new IllegalArgumentException(name);
        }
    }

    // ---- the scenarios ------------------------------------------------------------------------------

    /**
     * The exact limit from memory.max; then raised and lowered at run time (Kubernetes in-place resize
     * writes memory.max); then the process moved to another cgroup. One JVM for all four.
     */
    private void live(ObjectNode r) throws Exception {
        Path dir = scenarioDir("live");
        try (V2Cgroup moved = V2Cgroup.create("/headroom-v2-moved-" + suffix());
             V2Cgroup live = V2Cgroup.create("/headroom-v2-live-" + suffix())) {
            // An odd size, not a round one: the kernel keeps whole pages and prints what it kept.
            live.write("memory.max", Long.toString(300 * MIB + 12345));
            moved.write("memory.max", Long.toString(352 * MIB));
            r.put("path", live.path());
            r.put("movedPath", moved.path());
            r.put("memoryMax", live.memoryMax());
            r.put("pressureFile", live.directory().resolve("memory.pressure").toString());
            AgentJvm app = AgentJvm.start(dir.resolve("app"), live, jvm(dir, "-Xmx64m"), "dev.headroom.samples.Idle",
                    "900");
            try {
                EventLogFile log = new EventLogFile(dir.resolve("events.jsonl"));
                awaitSnapshot(log, app, s -> s.path("limitBytes").asLong() > 0);
                ArrayNode steps = r.putArray("steps");
                for (long limit : List.of(416 * MIB, 200 * MIB)) {
                    live.write("memory.max", Long.toString(limit));
                    steps.add(step(log, app, "memory.max of " + live.path(), live.memoryMax(), live.path()));
                }
                moved.move(app.process.toHandle().pid());
                steps.add(step(log, app, "moved to " + moved.path(), moved.memoryMax(), moved.path()));
                r.set("procs", JSON.valueToTree(moved.read("cgroup.procs").trim()));
                r.put("movedPressure", moved.directory().resolve("memory.pressure").toString());
            } finally {
                stop(app, r);
            }
        }
    }

    /** One change: when the kernel took it, and when the agent's snapshot first showed it. */
    private ObjectNode step(EventLogFile log, AgentJvm app, String what, long kernelLimit, String path)
            throws Exception {
        long changed = System.currentTimeMillis();
        ObjectNode step = JSON.createObjectNode();
        step.put("what", what);
        step.put("kernelLimit", kernelLimit);
        step.put("path", path);
        JsonNode seen = awaitSnapshot(log, app, s -> s.path("limitBytes").asLong() == kernelLimit
                && s.path("cgroup").path("path").asText().equals(path) && ScenarioRun.millis(s) >= changed);
        step.put("changedMillis", changed);
        step.put("seenMillis", ScenarioRun.millis(seen));
        step.set("snapshot", seen);
        return step;
    }

    /** Kubernetes' nested slices, the limit only on the pod's slice (the container's says max). */
    private void podLimit(ObjectNode r) throws Exception {
        Path dir = scenarioDir("pod-limit");
        String container = POD + "/cri-containerd-" + containerId() + ".scope";
        try (V2Cgroup scope = V2Cgroup.create(container)) {
            Files.writeString(scope.parent().resolve("memory.max"), Long.toString(320 * MIB));
            r.put("path", container);
            r.put("scopeMax", scope.read("memory.max").trim());
            r.put("podMax", Long.parseLong(Files.readString(scope.parent().resolve("memory.max")).trim()));
            r.put("podPath", POD);
            idleUntilSnapshot(dir, scope, r);
        }
    }

    /**
     * A private cgroup namespace: the container sees itself at {@code /}. The kubelet sets the limit on
     * the container's cgroup too, so that is what a namespaced process can see (its pod is above its root).
     */
    private void namespace(ObjectNode r, boolean remount) throws Exception {
        String name = remount ? "namespace" : "namespace-no-remount";
        Path dir = scenarioDir(name);
        String container = POD + "/cri-containerd-" + containerId() + ".scope";
        try (V2Cgroup scope = V2Cgroup.create(container)) {
            Files.writeString(scope.parent().resolve("memory.max"), Long.toString(320 * MIB));
            scope.write("memory.max", Long.toString(288 * MIB));
            r.put("path", container);
            r.put("scopeMax", scope.memoryMax());
            r.put("podMax", Long.parseLong(Files.readString(scope.parent().resolve("memory.max")).trim()));
            // What the namespaced process itself sees, from the same wrapper.
            Process view = new ProcessBuilder(scope.privateNamespace(remount).wrap(List.of("/bin/sh", "-c",
                    "cat /proc/self/cgroup; grep cgroup2 /proc/self/mountinfo"))).redirectErrorStream(true).start();
            r.put("view", new String(view.getInputStream().readAllBytes()));
            view.waitFor(60, TimeUnit.SECONDS);
            idleUntilSnapshot(dir, scope.privateNamespace(remount), r);
        }
    }

    /**
     * memory.high below memory.max, as Kubernetes memory QoS sets it (requests + 0.9 x (limit - requests)):
     * usage stepped over it is throttled, not killed; memory.events high counts, memory.pressure rises.
     * Meanwhile a WatchService on the cgroup directory (inotify) and a 20 ms poll of memory.events
     * measure whether the kernel's modification notices are a dependable early signal.
     */
    private void high(ObjectNode r) throws Exception {
        Path dir = scenarioDir("high");
        try (V2Cgroup cg = V2Cgroup.create("/headroom-v2-high-" + suffix())) {
            cg.write("memory.max", Long.toString(400 * MIB));
            cg.write("memory.high", Long.toString(232 * MIB));
            cg.write("memory.swap.max", "0");
            r.put("path", cg.path());
            r.put("memoryHigh", Long.parseLong(cg.read("memory.high").trim()));
            r.put("memoryMax", cg.memoryMax());
            r.put("pressureFile", cg.directory().resolve("memory.pressure").toString());
            try (NoticeProbe probe = new NoticeProbe(cg.directory())) {
                // 60 MiB of direct memory at start, then one step of 200 MiB: 260 MiB, over the 232 MiB line,
                // held. Without swap the anonymous pages cannot go, so every further charge is throttled
                // (measured: the 200 MiB step took minutes to complete); the app is stopped once the agent
                // has seen the throttling, not waited for.
                AgentJvm app = AgentJvm.start(dir.resolve("app"), cg, jvm(dir, "-Xmx64m", "-XX:MaxDirectMemorySize=512m"),
                        "dev.headroom.samples.WorkingSetStep", "200", "15", "900", "60");
                try {
                    await(new EventLogFile(dir.resolve("events.jsonl")), events -> EventLogFile.count(events,
                            "warning") >= 1 && events.stream().filter(V2GuestDriver::isSnapshot).count() >= 3
                            && events.stream().filter(V2GuestDriver::isSnapshot).anyMatch(e -> e.path("cgroup")
                            .path("events").path("high").asLong() > 0), Duration.ofSeconds(400), app);
                    // The kernel's files while it is throttled, for the agent's unit tests.
                    copyFixture(cg, "high-throttled");
                    r.put("aliveWhenStopped", app.process.isAlive());
                    r.set("kernelEventsWhileThrottled", JSON.valueToTree(cg.events()));
                } finally {
                    // SIGKILL: a throttled JVM's clean shutdown takes minutes under TCG, and nothing here
                    // asserts on it.
                    app.process.destroyForcibly();
                    stop(app, r);
                }
                probe.report(r.putObject("notices"));
            }
            r.set("kernelEvents", JSON.valueToTree(cg.events()));
            r.put("kernelPressure", cg.read("memory.pressure"));
            copyFixture(cg, "high");
        }
    }

    /**
     * A real OOM kill in a Kubernetes-shaped container cgroup with memory.oom.group set (the kubelet does
     * since 1.28) and a second process beside the JVM: the kernel must end both, the agent must have warned
     * at least 5 s before and left a complete heap dump.
     */
    private void oom(ObjectNode r) throws Exception {
        Path dir = scenarioDir("oom");
        String container = POD + "/cri-containerd-" + containerId() + ".scope";
        // The pod's slice stays for the restart scenario; only the container's cgroup goes.
        pod = V2Cgroup.create(POD);
        V2Cgroup scope = V2Cgroup.create(container);
        scope.write("memory.max", Long.toString(256 * MIB));
        scope.write("memory.swap.max", "0");
        scope.write("memory.oom.group", "1");
        r.put("path", container);
        r.put("memoryMax", scope.memoryMax());
        r.put("oomGroup", scope.read("memory.oom.group").trim());
        Process sidecar = new ProcessBuilder(scope.wrap(List.of("/bin/sleep", "3600"))).start();
        List<String> jvm = new ArrayList<>(List.of(Scenario.PERCENT_HEAP, "-XX:+UseG1GC"));
        // The dump speed the guest measured (a 118 MiB live dump in 4.9 s under TCG, ~25 MB/s, where
        // the default assumes 200 MB/s): told, as a user on a slow node would, so that the critical
        // level and its dump come early enough to finish before the kill (at the default, one CI run
        // started the dump 3 s before the kill and lost it).
        jvm.addAll(agentOptions(dir, ",dumpSpeed=20m"));
        long start = System.currentTimeMillis();
        AgentJvm app = AgentJvm.start(dir.resolve("app"), scope, jvm, "dev.headroom.samples.HeapGrowth", "1", "40");
        int exit = app.waitFor(400);
        long end = System.currentTimeMillis();
        boolean sidecarEnded = sidecar.waitFor(30, TimeUnit.SECONDS);
        r.put("exitCode", exit);
        r.put("startMillis", start);
        r.put("endMillis", end);
        r.put("sidecarEnded", sidecarEnded);
        r.put("sidecarExit", sidecarEnded ? sidecar.exitValue() : -1);
        r.put("stderr", app.stderrText());
        r.set("kernelEvents", JSON.valueToTree(scope.events()));
        r.set("podEvents", JSON.valueToTree(V2Cgroup.keyed(scope.parent().resolve("memory.events"))));
        copyFixture(scope, "oom");
        if (!sidecarEnded) {
            sidecar.destroyForcibly();
        }
        scope.close();
    }

    /**
     * The container restarted after its OOM kill: a new container cgroup in the same pod, the same
     * flight file. The pod's memory.events still counts the kill the old container's cgroup took with it.
     */
    private void restart(ObjectNode r, String after) throws Exception {
        Path dir = scenarioDir(after);
        Path restartDir = scenarioDir(after + "-restart");
        String container = POD + "/cri-containerd-" + containerId() + ".scope";
        try (V2Cgroup scope = V2Cgroup.create(container)) {
            scope.write("memory.max", Long.toString(256 * MIB));
            r.put("path", container);
            r.set("podEvents", JSON.valueToTree(V2Cgroup.keyed(scope.parent().resolve("memory.events"))));
            List<String> jvm = new ArrayList<>(List.of("-Xmx64m"));
            // The restarted container's agent writes its log elsewhere but finds the same flight file.
            jvm.add(AgentJvm.agentOption("eventLog=" + restartDir.resolve("events.jsonl") + ",dumpDir="
                    + dir.resolve("dumps") + ",interval=500ms,snapshotEvery=1s"));
            AgentJvm app = AgentJvm.start(restartDir.resolve("app"), scope, jvm, "dev.headroom.samples.Idle", "900");
            try {
                await(new EventLogFile(restartDir.resolve("events.jsonl")), events -> EventLogFile.count(events,
                        "snapshot") >= 1, Duration.ofSeconds(240), app);
            } finally {
                stop(app, r);
            }
            r.put("eventLog", restartDir.resolve("events.jsonl").toString());
        }
        // The pod's slices go with the last container that used them.
        pod.close();
        pod = null;
    }

    /** Ended by a SIGKILL that is not the OOM killer's (exit 137 all the same), then started again. */
    private void sigkill(ObjectNode r) throws Exception {
        Path dir = scenarioDir("sigkill");
        String container = POD + "/cri-containerd-" + containerId() + ".scope";
        pod = V2Cgroup.create(POD);
        V2Cgroup scope = V2Cgroup.create(container);
        scope.write("memory.max", Long.toString(256 * MIB));
        AgentJvm app = AgentJvm.start(dir.resolve("app"), scope, jvm(dir, "-Xmx64m"), "dev.headroom.samples.Idle", "900");
        await(new EventLogFile(dir.resolve("events.jsonl")), events -> EventLogFile.count(events, "snapshot") >= 1,
                Duration.ofSeconds(240), app);
        ProcessHandle java = app.process.toHandle();
        java.destroyForcibly();
        r.put("exitCode", app.waitFor(60));
        r.set("kernelEvents", JSON.valueToTree(scope.events()));
        scope.close();
        r.set("restart", restartNode("sigkill"));
    }

    private ObjectNode restartNode(String after) throws Exception {
        ObjectNode node = JSON.createObjectNode();
        restart(node, after);
        return node;
    }

    /** Healthy: a file larger than the limit read and written on the guest's ext4 disk; no alarm. */
    private void pageCache(ObjectNode r) throws Exception {
        Path dir = scenarioDir("page-cache");
        Path data = Files.createDirectories(Path.of("/mnt/headroom-page-cache-" + suffix()));
        try (V2Cgroup cg = V2Cgroup.create("/headroom-v2-page-cache-" + suffix())) {
            cg.write("memory.max", Long.toString(256 * MIB));
            cg.write("memory.swap.max", "0");
            r.put("path", cg.path());
            AgentJvm app = AgentJvm.start(dir.resolve("app"), cg, jvm(dir, "-Xmx64m"),
                    "dev.headroom.samples.PageCacheChurn", "512", "120", data.toString());
            try {
                captureWhen(cg, app, "page-cache-full", () -> V2Cgroup.keyed(cg.directory().resolve("memory.stat"))
                        .getOrDefault("file", 0L) > 200 * MIB);
                r.put("exitCode", app.waitFor(400));
            } finally {
                stop(app, r);
            }
            r.set("kernelEvents", JSON.valueToTree(cg.events()));
            r.set("kernelStat", JSON.valueToTree(V2Cgroup.keyed(cg.directory().resolve("memory.stat"))));
            copyFixture(cg, "page-cache");
        } finally {
            ScenarioRun.deleteTree(data);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private void idleUntilSnapshot(Path dir, CgroupPlace place, ObjectNode r) throws Exception {
        AgentJvm app = AgentJvm.start(dir.resolve("app"), place, jvm(dir, "-Xmx64m"), "dev.headroom.samples.Idle", "900");
        try {
            awaitSnapshot(new EventLogFile(dir.resolve("events.jsonl")), app, s -> true);
        } finally {
            stop(app, r);
        }
    }

    /** Ends the app with SIGTERM (a clean stop, logged) and records its output. */
    private static void stop(AgentJvm app, ObjectNode r) throws Exception {
        ProcessHandle java = app.process.toHandle();
        if (app.process.isAlive()) {
            java.destroy();
            if (!app.process.waitFor(120, TimeUnit.SECONDS)) {
                app.process.destroyForcibly();
            }
        }
        r.put("stderr", app.stderrText());
        r.put("stdout", app.stdoutText());
    }

    private static JsonNode awaitSnapshot(EventLogFile log, AgentJvm app, Predicate<JsonNode> condition)
            throws Exception {
        List<JsonNode> events = await(log, all -> all.stream().anyMatch(e -> isSnapshot(e) && condition.test(e)),
                Duration.ofSeconds(300), app);
        return events.stream().filter(e -> isSnapshot(e) && condition.test(e)).findFirst().orElseThrow();
    }

    /**
     * {@link EventLogFile#awaitEvents}, and when the condition is never met, what the event log alone
     * cannot tell: whether the JVM still ran (a stalled agent) or had ended (how, and what it and the
     * kernel last said).
     */
    private static List<JsonNode> await(EventLogFile log, Predicate<List<JsonNode>> condition, Duration timeout,
                                        AgentJvm app) throws Exception {
        try {
            return log.awaitEvents(condition, timeout, app.process);
        } catch (AssertionError e) {
            String state = app.process.isAlive() ? "the JVM was still running"
                    : "the JVM had ended with exit " + app.process.exitValue();
            throw new AssertionError(e.getMessage() + "\n" + state + "; its stderr:\n" + app.stderrText()
                    + "\nits stdout:\n" + app.stdoutText() + "\nthe kernel's last messages:\n" + kernelTail(), e);
        }
    }

    /** The last lines of the kernel's log (an OOM kill or a signal the driver did not send). */
    private static String kernelTail() {
        try {
            Process dmesg = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
            List<String> lines = new String(dmesg.getInputStream().readAllBytes()).lines().toList();
            dmesg.waitFor(10, TimeUnit.SECONDS);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (Exception e) {
            return "(dmesg: " + e + ")";
        }
    }

    private static boolean isSnapshot(JsonNode e) {
        return "snapshot".equals(e.path("event").asText());
    }

    private Path scenarioDir(String name) throws IOException {
        return Files.createDirectories(out.resolve(name));
    }

    private static List<String> jvm(Path dir, String... jvmArgs) {
        List<String> jvm = new ArrayList<>(List.of(jvmArgs));
        jvm.addAll(agentOptions(dir, ""));
        return jvm;
    }

    /** The agent with its log and dumps in the shared directory (9p keeps no page cache to charge). */
    private static List<String> agentOptions(Path dir, String more) {
        return List.of(AgentJvm.agentOption("eventLog=" + dir.resolve("events.jsonl") + ",dumpDir="
                + dir.resolve("dumps") + ",interval=500ms,snapshotEvery=1s" + more));
    }

    /** The kernel's own files of a real v2 cgroup, kept as test fixtures for the agent's unit tests. */
    private void copyFixture(V2Cgroup cg, String name) throws IOException {
        Path to = Files.createDirectories(out.resolve("fixtures").resolve(name));
        for (String file : List.of("memory.stat", "memory.events", "memory.events.local", "memory.pressure",
                "memory.current", "memory.max", "memory.high", "memory.swap.current", "memory.oom.group",
                "cgroup.controllers")) {
            Path f = cg.directory().resolve(file);
            if (Files.exists(f)) {
                Files.write(to.resolve(file), Files.readAllBytes(f));
            }
        }
    }

    interface Condition {
        boolean holds() throws IOException;
    }

    /** Copies the cgroup's files once the condition holds (polled every 100 ms while the app runs). */
    private void captureWhen(V2Cgroup cg, AgentJvm app, String name, Condition condition) throws Exception {
        while (app.process.isAlive()) {
            if (condition.holds()) {
                copyFixture(cg, name);
                return;
            }
            Thread.sleep(100);
        }
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static String containerId() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    /**
     * Watches a cgroup directory for modification notices of memory.events (inotify, through the JDK's
     * WatchService) while a 20 ms poll reads the file: every change the poll saw should have a notice.
     */
    private static final class NoticeProbe implements AutoCloseable {
        private final Path file;
        private final WatchService watch;
        private final Thread poller;
        private final Thread watcher;
        private final List<long[]> changes = new ArrayList<>();
        private final List<Long> notices = new ArrayList<>();
        private volatile boolean running = true;

        NoticeProbe(Path directory) throws IOException {
            this.file = directory.resolve("memory.events");
            this.watch = FileSystems.getDefault().newWatchService();
            directory.register(watch, StandardWatchEventKinds.ENTRY_MODIFY);
            poller = new Thread(this::poll, "notice-probe-poll");
            watcher = new Thread(this::take, "notice-probe-watch");
            poller.start();
            watcher.start();
        }

        private void poll() {
            String last = null;
            long lastRead = 0;
            while (running) {
                try {
                    long readAt = System.nanoTime();
                    String now = Files.readString(file);
                    if (last != null && !now.equals(last)) {
                        synchronized (changes) {
                            // When it was seen, and when the poll before still saw the old text: the
                            // change happened in between, however late a slow guest ran the poll.
                            changes.add(new long[] {readAt, lastRead});
                        }
                    }
                    last = now;
                    lastRead = readAt;
                    Thread.sleep(20);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }

        private void take() {
            while (running) {
                try {
                    WatchKey key = watch.poll(200, TimeUnit.MILLISECONDS);
                    if (key == null) {
                        continue;
                    }
                    long now = System.nanoTime();
                    for (WatchEvent<?> e : key.pollEvents()) {
                        if (e.context() != null && e.context().toString().equals("memory.events")) {
                            synchronized (notices) {
                                notices.add(now);
                            }
                        }
                    }
                    key.reset();
                } catch (InterruptedException | java.nio.file.ClosedWatchServiceException e) {
                    return;
                }
            }
        }

        /** For each change the poll saw, the nearest notice's lag (negative: the notice came first). */
        void report(ObjectNode node) {
            ArrayNode lags = node.putArray("lagMillis");
            int unmatched = 0;
            for (long[] change : changes) {
                long best = Long.MAX_VALUE;
                for (long n : notices) {
                    long lag = n - change[0];
                    // A notice after the poll that still saw the old text (with 5 ms for the clocks of
                    // two threads), or up to 1 s after the poll saw the new one. A fixed "one poll
                    // period" was too short when the guest ran the poll late (single-threaded TCG).
                    long earliest = change[1] - change[0] - 5_000_000L;
                    if (lag >= earliest && lag <= 1_000_000_000L && Math.abs(lag) < Math.abs(best)) {
                        best = lag;
                    }
                }
                if (best == Long.MAX_VALUE) {
                    unmatched++;
                } else {
                    lags.add(best / 1_000_000.0);
                }
            }
            node.put("changesPolled", changes.size());
            node.put("notices", notices.size());
            node.put("changesWithoutNotice", unmatched);
        }

        @Override
        public void close() throws Exception {
            running = false;
            poller.join(5000);
            watch.close();
            watcher.join(5000);
        }
    }
}
