package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hours of ticks in minutes: the agent samples every 10 ms (a hundred times its default pace)
 * for {@code it.soak.minutes} (1.5 by default, about 9,000 ticks: two and a half hours at 1 s;
 * docs/results.md records a 30-minute run), with every publisher on and NMT read every second, in
 * an idle application. Every 10 s the test measures
 * what a leak would grow: the JVM's threads and file descriptors, the live heap after a full GC,
 * the bytes of the agent's own objects (class histogram rows under {@code dev.headroom}), loaded
 * classes and RSS. It asserts they stay flat, and writes the numbers to {@code target/soak.md}
 * (and, with {@code -Dit.soak.record=true}, into the Soak section of docs/results.md).
 */
class SoakIT {

    private static final long MIB = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);
    private static final Duration WARM_UP = Duration.ofSeconds(20);

    @TempDir
    Path work;

    @BeforeAll
    static void needsCgroups() {
        MemoryCgroup.requireAvailable();
    }

    /** One measurement of the application's JVM. */
    record Sample(long atMillis, int threads, int fds, long rssBytes, long liveHeapBytes, long agentBytes,
                  long agentInstances, long loadedClasses, long ticks) {
    }

    @Test
    void tensOfThousandsOfTicksLeaveThreadsFdsAndTheAgentsHeapFlat() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("it.soak.minutes", "1.5"));
        long runMillis = (long) (minutes * 60_000);
        Path log = work.resolve("events.jsonl");
        Path evidence = work.resolve("evidence");
        Path flight = evidence.resolve("headroom-flight.json");
        long appSeconds = runMillis / 1000 + 120;
        List<Sample> samples = new ArrayList<>();
        long started;
        try (MemoryCgroup cgroup = MemoryCgroup.create(512 * MIB);
             AgentJvm app = AgentJvm.start(work, cgroup,
                     // Every tick full (quickTicks=false): the soak is of the path that reads, allocates and
                     // publishes; an idle JVM would otherwise have most of its ticks only look at one file.
                     List.of(AgentJvm.agentOption("eventLog=" + log + ",interval=10ms,snapshotEvery=1s,nmtEvery=1s,"
                                     + "quickTicks=false,dumpDir=" + evidence + ",jmx=true,jfr=true,micrometer=true"),
                             "-Xmx64m", "-XX:NativeMemoryTracking=summary"),
                     "dev.headroom.samples.Idle", Long.toString(appSeconds))) {
            EventLogFile events = new EventLogFile(log);
            events.awaitEvents(e -> EventLogFile.count(e, "snapshot") >= 1, Duration.ofSeconds(30), app.process);
            started = System.currentTimeMillis();
            long pid = app.process.pid();

            Thread.sleep(WARM_UP.toMillis());
            measure(pid, flight, -1); // warms jcmd's own attach machinery in the target up, not counted
            long lastTickSeen = System.currentTimeMillis();
            long deadline = lastTickSeen + runMillis;
            while (System.currentTimeMillis() < deadline) {
                Sample s = measure(pid, flight, lastTickSeen);
                lastTickSeen = s.atMillis();
                samples.add(s);
                assertTrue(app.process.isAlive(), "the application is alive");
                Thread.sleep(Math.max(0, Math.min(SAMPLE_EVERY.toMillis(), deadline - System.currentTimeMillis())));
            }
            samples.add(measure(pid, flight, lastTickSeen));

            List<JsonNode> all = events.events();
            assertEquals(0, EventLogFile.count(all, "problem"), "no problem in the whole run");
            long snapshots = EventLogFile.count(all, "snapshot");
            long seconds = (System.currentTimeMillis() - started) / 1000;
            assertTrue(snapshots >= seconds - 5, "a snapshot event every second: " + snapshots + " in " + seconds + " s");
        }

        long ticks = 0;
        for (Sample s : samples) {
            ticks += s.ticks();
        }
        String section = section(samples, minutes, ticks);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "soak.md"), section, StandardCharsets.UTF_8);
        if (Boolean.getBoolean("it.soak.record")) {
            record(section);
        }

        Sample first = baseline(samples);
        Sample last = samples.get(samples.size() - 1);
        String table = section;
        // ~100 ticks a second at 10 ms (a tick that overruns skips ahead rather than catching up).
        long expected = (last.atMillis() - samples.get(0).atMillis()) / 10;
        assertTrue(ticks >= expected * 0.8, "ticks: " + ticks + " of about " + expected + "\n" + table);
        assertEquals(first.threads(), last.threads(), "threads\n" + table);
        assertTrue(Math.abs(last.fds() - first.fds()) <= 2, "file descriptors\n" + table);
        assertTrue(last.agentBytes() - first.agentBytes() <= Math.max(64 * 1024, first.agentBytes() / 10),
                "the agent's own objects after a full GC\n" + table);
        assertTrue(last.liveHeapBytes() - first.liveHeapBytes() <= 2 * MIB, "live heap after a full GC\n" + table);
        assertTrue(last.loadedClasses() - first.loadedClasses() <= 50, "loaded classes\n" + table);
    }

    /** The first samples' minimum: GC timing makes single samples noisy by a few kilobytes. */
    private static Sample baseline(List<Sample> samples) {
        Sample b = samples.get(0);
        for (Sample s : samples.subList(0, Math.min(3, samples.size()))) {
            if (s.liveHeapBytes() < b.liveHeapBytes()) {
                b = new Sample(b.atMillis(), b.threads(), b.fds(), b.rssBytes(), s.liveHeapBytes(), b.agentBytes(),
                        b.agentInstances(), b.loadedClasses(), b.ticks());
            }
        }
        return b;
    }

    private Sample measure(long pid, Path flight, long ticksSince) throws IOException, InterruptedException {
        long now = System.currentTimeMillis();
        int threads = count(Path.of("/proc/" + pid + "/task"));
        int fds = count(Path.of("/proc/" + pid + "/fd"));
        long rss = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
            }
        }
        // GC.class_histogram runs a full GC first: what it lists is live.
        long agentBytes = 0;
        long agentInstances = 0;
        for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
            String[] f = line.trim().split("\\s+");
            // num: #instances #bytes class name (module)
            if (f.length >= 4 && f[0].endsWith(":") && f[3].startsWith("dev.headroom.")) {
                agentInstances += Long.parseLong(f[1]);
                agentBytes += Long.parseLong(f[2]);
            }
        }
        // G1: "garbage-first heap   total 65536K, used 5632K [...]"; Serial and Parallel: one such
        // line per generation. Metaspace's lines have "used" but no "total".
        long liveHeap = 0;
        for (String line : jcmd(pid, "GC.heap_info").split("\n")) {
            int used = line.indexOf(" used ");
            if (line.contains(" total ") && used > 0) {
                String v = line.substring(used + 6).trim().split("[\\s,]")[0];
                liveHeap += Long.parseLong(v.substring(0, v.length() - 1)) * 1024;
            }
        }
        long classes = -1;
        for (String line : jcmd(pid, "PerfCounter.print").split("\n")) {
            if (line.startsWith("java.cls.loadedClasses=")) {
                classes = Long.parseLong(line.substring(line.indexOf('=') + 1).trim());
            } else if (line.startsWith("java.cls.unloadedClasses=") && classes >= 0) {
                classes -= Long.parseLong(line.substring(line.indexOf('=') + 1).trim());
            }
        }
        // The flight file keeps the last 120 ticks' times: their pace, times the time since the
        // last sample, is the number of ticks in between.
        long ticks = 0;
        if (ticksSince >= 0) {
            JsonNode history = JSON.readTree(Files.readString(flight)).get("history");
            long firstT = history.get(0).get("t").asLong();
            long lastT = history.get(history.size() - 1).get("t").asLong();
            if (history.size() > 1 && lastT > firstT) {
                ticks = Math.round((history.size() - 1) * (double) (now - ticksSince) / (lastT - firstT));
            }
        }
        return new Sample(now, threads, fds, rss, liveHeap, agentBytes, agentInstances, classes, ticks);
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(AgentJvm.java()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private static int count(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return (int) entries.count();
        }
    }

    private static String section(List<Sample> samples, double minutes, long ticks) {
        Sample first = samples.get(0);
        Sample last = samples.get(samples.size() - 1);
        StringBuilder md = new StringBuilder();
        md.append("## Soak\n\n");
        md.append(String.format(Locale.ROOT, "`SoakIT`, %s, %s: the agent ticking every 10 ms for %.0f minutes "
                        + "(%,d ticks, as many as %.1f hours at the default 1 s), every publisher on (event log, "
                        + "flight file, JMX, JFR, Micrometer), NMT on and read every second, in an idle JVM "
                        + "(`-Xmx64m`) in a 512 MiB cgroup. Measured every 10 s after a 20 s warm-up; heap "
                        + "figures follow the full GC that `jcmd GC.class_histogram` runs. Generated by the test "
                        + "(`-Dit.soak.minutes=N -Dit.soak.record=true`).\n\n",
                System.getProperty("java.runtime.version"), Instant.ofEpochMilli(first.atMillis()).toString().substring(0, 10),
                minutes, ticks, ticks / 3600.0));
        md.append("| after | ticks | threads | fds | agent objects | agent instances | live heap | loaded classes | RSS |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        long cumulative = 0;
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            cumulative += s.ticks();
            boolean show = i < 3 || i >= samples.size() - 3 || i % Math.max(1, samples.size() / 12) == 0;
            if (!show) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %d s | %,d | %d | %d | %,d B | %,d | %.2f MiB | %,d | %.1f MiB |\n",
                    (s.atMillis() - first.atMillis()) / 1000, cumulative, s.threads(), s.fds(), s.agentBytes(),
                    s.agentInstances(), s.liveHeapBytes() / (double) MIB, s.loadedClasses(), s.rssBytes() / (double) MIB));
        }
        md.append(String.format(Locale.ROOT, "\nFirst to last: threads %+d, file descriptors %+d, the agent's objects "
                        + "%+,d B, live heap %+,d KiB, loaded classes %+d, RSS %+.1f MiB.\n",
                last.threads() - first.threads(), last.fds() - first.fds(), last.agentBytes() - first.agentBytes(),
                (last.liveHeapBytes() - first.liveHeapBytes()) / 1024, last.loadedClasses() - first.loadedClasses(),
                (last.rssBytes() - first.rssBytes()) / (double) MIB));
        return md.toString();
    }

    /** Replaces (or appends) the Soak section of docs/results.md, leaving the rest of the file alone. */
    private static void record(String section) throws IOException {
        Path results = Path.of(System.getProperty("it.docsDir", "../docs"), "results.md");
        String begin = "<!-- soak:begin (written by SoakIT) -->\n";
        String end = "<!-- soak:end -->\n";
        String text = Files.exists(results) ? Files.readString(results) : "# Results\n\n";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        String block = begin + section + end;
        if (b >= 0 && e > b) {
            text = text.substring(0, b) + block + text.substring(e + end.length());
        } else {
            text = text + (text.endsWith("\n\n") ? "" : "\n") + block;
        }
        Files.writeString(results, text, StandardCharsets.UTF_8);
    }
}
