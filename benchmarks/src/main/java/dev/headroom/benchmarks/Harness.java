package dev.headroom.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Measures the agent the way a user judges it, in separate JVMs, and prints Markdown sections for
 * docs/performance.md. {@code benchmarks/run} calls it once per section.
 *
 * <pre>Harness machine | jmh &lt;results.json&gt; | cpu [pairs] [seconds] | start [pairs] | micrometerStart [pairs] | throughput [pairs]
 *        | timeliness [runs] | dump | footprint</pre>
 * System properties: {@code agent} (the agent jar), {@code samples} (the sample apps jar), {@code work}
 * (a scratch directory).
 */
public final class Harness {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final double MIB = 1024.0 * 1024.0;

    private final Path agent = Path.of(System.getProperty("agent", "agent/target/headroom-agent.jar")).toAbsolutePath();
    private final Path samples = Path.of(System.getProperty("samples", "sample-apps/target/headroom-sample-apps.jar")).toAbsolutePath();
    private final Path work = Path.of(System.getProperty("work", "benchmarks/target/work")).toAbsolutePath();

    public static void main(String[] args) throws Exception {
        Harness h = new Harness();
        Files.createDirectories(h.work);
        String what = args.length > 0 ? args[0] : "machine";
        int n = args.length > 1 && args[1].matches("\\d+") ? Integer.parseInt(args[1]) : -1;
        switch (what) {
            case "machine" -> h.machine();
            case "jmh" -> Jmh.table(Path.of(args[1]));
            case "cpu" -> h.cpu(n > 0 ? n : 3, args.length > 2 ? Integer.parseInt(args[2]) : 60);
            case "start" -> h.start(n > 0 ? n : 25);
            case "micrometerStart" -> h.micrometerStart(n > 0 ? n : 25);
            case "throughput" -> h.throughput(n > 0 ? n : 6);
            case "throughput-attach" -> h.throughputAttach(n > 0 ? n : 4);
            case "timeliness" -> h.timeliness(n > 0 ? n : 5);
            case "dump" -> h.dump(n > 0 ? n : 3);
            case "dumpSize" -> h.dumpSize(n > 0 ? n : 3);
            case "footprint" -> h.footprint();
            default -> throw new IllegalArgumentException("unknown section " + what);
        }
    }

    // ---- machine

    void machine() throws Exception {
        String model = "?";
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                model = line.substring(line.indexOf(':') + 1).trim();
                break;
            }
        }
        String mem = "?";
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                mem = String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0);
            }
        }
        System.out.println("| | |");
        System.out.println("|---|---|");
        System.out.println("| CPUs (nproc) | " + Runtime.getRuntime().availableProcessors() + " |");
        System.out.println("| CPU model | " + model + " |");
        System.out.println("| memory | " + mem + " |");
        System.out.println("| kernel | " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim() + " |");
        System.out.println("| JDK | " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version") + " |");
        System.out.println("| cgroup | " + cgroupLine() + " |");
        System.out.println("| load average at " + Instant.now() + " | " + load() + " |");
    }

    static String load() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + ", " + f[1] + ", " + f[2] + " (1, 5, 15 min)";
    }

    private static String cgroupLine() throws IOException {
        boolean v1 = Files.isDirectory(Path.of("/sys/fs/cgroup/memory"));
        return v1 ? "v1 memory controller (hybrid host: cgroup2 mounted at /sys/fs/cgroup/unified)" : "v2";
    }

    // ---- CPU in the running JVM

    /** The idle JVMs of one set, each in its own memory cgroup. */
    private static final String[] VARIANTS = {"without", "twin", "headroom", "withC2", "floor"};

    /**
     * Idle JVMs side by side, in sets started together: without an agent, a second one without (the
     * noise floor: two identical JVMs), with Headroom (default options plus an event log), with
     * Headroom leaving its own code open to C2 ({@code lightJit=false}), and with {@link FloorAgent}
     * (the same kernel reads once an interval and nothing else). Each runs in its own 1 GiB memory
     * cgroup, as in a container. The run time of every thread ({@code /proc/<pid>/task/<tid>/schedstat},
     * nanoseconds) is read at the start and end of each window and split by thread: the agent's own
     * ({@code headroom*}), the JIT's compiler threads, the rest. Windows ({@code -Dcpu.windows},
     * seconds after {@code idle ready}): the first minute (from 5 s), minute 1–2, minute 9–10.
     */
    void cpu(int sets, int seconds) throws Exception {
        int[] starts = Arrays.stream(System.getProperty("cpu.windows", "5,60,540").split(","))
                .mapToInt(w -> Integer.parseInt(w.trim())).toArray();
        int last = starts[starts.length - 1];
        Path floorJar = FloorAgent.jar(Files.createDirectories(work.resolve("cpu")));
        List<ChildCgroup> cgroups = new ArrayList<>();
        List<Proc[]> procs = new ArrayList<>();
        try {
            for (int i = 0; i < sets; i++) {
                Path dir = Files.createDirectories(work.resolve("cpu-" + i));
                List<String> base = List.of("-Xmx256m", "-cp", samples.toString(), "dev.headroom.samples.Idle",
                        Integer.toString(last + seconds + 60));
                Proc[] set = new Proc[VARIANTS.length];
                for (int v = 0; v < VARIANTS.length; v++) {
                    List<String> agentArgs = switch (VARIANTS[v]) {
                        case "headroom" -> List.of("-javaagent:" + agent + "=eventLog=" + dir.resolve("events.jsonl"));
                        case "withC2" -> List.of("-javaagent:" + agent + "=lightJit=false,eventLog="
                                + dir.resolve("events-c2.jsonl"));
                        case "floor" -> List.of("-javaagent:" + floorJar);
                        default -> List.of();
                    };
                    ChildCgroup cg = ChildCgroup.create(1024L << 20);
                    cgroups.add(cg);
                    set[v] = Proc.start(dir, cg.wrap(java(agentArgs, base)));
                }
                procs.add(set);
            }
            for (Proc[] set : procs) {
                for (Proc p : set) {
                    p.await("idle ready", 120);
                }
            }
            long t0 = System.nanoTime();
            List<double[][][]> windows = new ArrayList<>();
            for (int start : starts) {
                sleepUntil(t0, start);
                windows.add(window(procs, seconds));
            }
            report(sets, seconds, starts, windows);
        } finally {
            for (ChildCgroup cg : cgroups) {
                cg.close();
            }
        }
    }

    /** Thread groups a JVM's CPU is split into. */
    private static final int TOTAL = 0;
    private static final int AGENT = 1;
    private static final int JIT = 2;

    /** [set][variant][group] ms over one window. */
    private static double[][][] window(List<Proc[]> procs, int seconds) throws Exception {
        double[][][] before = new double[procs.size()][][];
        for (int i = 0; i < procs.size(); i++) {
            before[i] = new double[VARIANTS.length][];
            for (int v = 0; v < VARIANTS.length; v++) {
                before[i][v] = procs.get(i)[v].threadGroupsCpuMillis();
            }
        }
        Thread.sleep(seconds * 1000L);
        double[][][] d = new double[procs.size()][VARIANTS.length][];
        for (int i = 0; i < procs.size(); i++) {
            for (int v = 0; v < VARIANTS.length; v++) {
                double[] after = procs.get(i)[v].threadGroupsCpuMillis();
                d[i][v] = new double[after.length];
                for (int g = 0; g < after.length; g++) {
                    d[i][v][g] = after[g] - before[i][v][g];
                }
            }
        }
        return d;
    }

    private static void report(int sets, int seconds, int[] starts, List<double[][][]> windows) {
        System.out.printf(Locale.ROOT, "%d sets of idle JVMs (`Idle`, `-Xmx256m`), each JVM in its own 1 GiB memory cgroup,"
                + " all started together: without an agent, a second without (the noise floor), with Headroom (default"
                + " options plus an event log), with Headroom leaving its code open to C2 (`lightJit=false`), and with the"
                + " floor agent (`FloorAgent`: one thread that wakes once a second and reads the same kernel files as"
                + " Headroom's full tick, and nothing else). CPU time is the run time of each thread"
                + " (`/proc/<pid>/task/*/schedstat`) over %d s windows, split into the agent's own threads (`headroom*`),"
                + " the JIT's compiler threads and the rest; each figure is the median over the sets of the difference"
                + " from the JVM without an agent, in ms per minute (ms over the window × 60 / %d).%n%n", sets, seconds, seconds);
        System.out.println("| window (after `idle ready`) | Headroom, all threads | share of one core | its own thread(s) | JIT threads |"
                + " with C2 on its code, all threads | its JIT threads | floor agent, all threads | floor's thread | noise (two JVMs without) |"
                + " own thread ÷ floor's |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        double[] shares = new double[starts.length];
        double[] ratios = new double[starts.length];
        for (int k = 0; k < starts.length; k++) {
            double[][][] w = windows.get(k);
            double scale = 60.0 / seconds;
            double all = scale * medianDiff(w, 2, 0, TOTAL);
            double own = scale * medianDiff(w, 2, 0, AGENT);
            double jit = scale * medianDiff(w, 2, 0, JIT);
            double full = scale * medianDiff(w, 3, 0, TOTAL);
            double fullJit = scale * medianDiff(w, 3, 0, JIT);
            double floor = scale * medianDiff(w, 4, 0, TOTAL);
            double floorOwn = scale * medianDiff(w, 4, 0, AGENT);
            double noise = scale * medianAbsDiff(w, 1, 0, TOTAL);
            shares[k] = all / 60_000 * 100;
            ratios[k] = own / floorOwn;
            String title = String.format(Locale.ROOT, "%d–%d s%s", starts[k], starts[k] + seconds,
                    starts[k] < 60 ? " (the first minute)" : starts[k] < 120 ? " (minute 1–2)"
                            : String.format(Locale.ROOT, " (minute %d–%d)", starts[k] / 60, starts[k] / 60 + 1));
            System.out.printf(Locale.ROOT, "| %s | %.1f ms | %.3f %% | %.1f ms (%.0f µs a tick) | %+.1f ms | %.1f ms | %+.1f ms | %.1f ms |"
                            + " %.1f ms (%.0f µs a tick) | %.1f ms | %.1f |%n",
                    title, all, shares[k], own, own / 60 * 1000, jit, full, fullJit, floor, floorOwn, floorOwn / 60 * 1000,
                    noise, ratios[k]);
            for (int i = 0; i < w.length; i++) {
                System.err.printf(Locale.ROOT, "cpu %s set %d: %s%n", title, i, Arrays.deepToString(w[i]));
            }
        }
        double worst = Arrays.stream(shares).max().orElse(Double.NaN);
        double worstRatio = Arrays.stream(ratios).max().orElse(Double.NaN);
        System.out.printf(Locale.ROOT, "%nBudgets: added CPU at most 0.03 %% of one core from the first minute on, JIT included"
                        + " — measured at most **%.3f %%** (%s); the agent's thread at most 10 × the floor's — measured at most"
                        + " **%.1f ×** (%s).%n", worst, worst <= 0.03 ? "met" : "NOT met", worstRatio,
                worstRatio <= 10 ? "met" : "NOT met");
    }

    private static double medianDiff(double[][][] w, int a, int b, int group) {
        List<Double> d = new ArrayList<>();
        for (double[][] set : w) {
            d.add(set[a][group] - set[b][group]);
        }
        return median(d);
    }

    private static double medianAbsDiff(double[][][] w, int a, int b, int group) {
        List<Double> d = new ArrayList<>();
        for (double[][] set : w) {
            d.add(Math.abs(set[a][group] - set[b][group]));
        }
        return median(d);
    }

    private static void sleepUntil(long t0, long seconds) throws InterruptedException {
        long left = t0 + seconds * 1_000_000_000L - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000L);
        }
    }

    // ---- start

    /** Wall time of a hello-world JVM with and without the agent, alternating the order (ABBA). */
    void start(int pairs) throws Exception {
        Path dir = Files.createDirectories(work.resolve("start"));
        List<String> hello = List.of("-cp", samples.toString(), "dev.headroom.samples.Hello");
        List<String> plain = java(List.of(), hello);
        List<String> agentOnly = java(List.of("-javaagent:" + agent), hello);
        List<String> emptyAgent = java(List.of("-javaagent:" + EmptyAgent.jar(dir)), hello);
        // Warm the page cache and the CDS archive first.
        for (int i = 0; i < 3; i++) {
            wallMillis(dir, plain);
            wallMillis(dir, agentOnly);
            wallMillis(dir, emptyAgent);
        }
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> empty = new ArrayList<>();
        List<Double> diffs = new ArrayList<>();
        List<Double> emptyDiffs = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            double w;
            double n;
            double e;
            if (i % 2 == 0) {
                w = wallMillis(dir, agentOnly);
                n = wallMillis(dir, plain);
                e = wallMillis(dir, emptyAgent);
            } else {
                e = wallMillis(dir, emptyAgent);
                n = wallMillis(dir, plain);
                w = wallMillis(dir, agentOnly);
            }
            with.add(w);
            without.add(n);
            empty.add(e);
            diffs.add(w - n);
            emptyDiffs.add(e - n);
        }
        double d = median(diffs);
        System.out.printf(Locale.ROOT, "`java -cp headroom-sample-apps.jar dev.headroom.samples.Hello` (prints hello and exits)"
                + " with `-javaagent:headroom-agent.jar` (default options) and without; wall time from process start to exit,"
                + " %d pairs in alternating order after 3 warm-up pairs.%n%n", pairs);
        System.out.println("| | with agent | without | added by the agent |");
        System.out.println("|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| median | %.0f ms | %.0f ms | **%.0f ms** (median of paired differences) |%n",
                median(with), median(without), d);
        System.out.printf(Locale.ROOT, "| quartiles of the paired differences | | | %.0f … %.0f ms |%n",
                percentile(diffs, 25), percentile(diffs, 75));
        System.out.printf(Locale.ROOT, "| min … max | %.0f … %.0f ms | %.0f … %.0f ms | |%n",
                Collections.min(with), Collections.max(with), Collections.min(without), Collections.max(without));
        System.out.printf(Locale.ROOT, "| an empty agent (a one-class jar whose premain returns at once), median | %.0f ms | %.0f ms |"
                + " %.0f ms: what any `-javaagent` costs on this JDK |%n", median(empty), median(without), median(emptyDiffs));
        System.out.printf(Locale.ROOT, "| Headroom beyond an empty agent | | | %.0f ms |%n", d - median(emptyDiffs));
        double beyond = d - median(emptyDiffs);
        System.out.printf(Locale.ROOT, "%nBudgets: at most 60 ms, and at most 15 ms beyond an empty agent (issue 17). Measured: %.0f ms"
                        + " (of which %.0f ms any agent costs) — %s; %.0f ms beyond an empty agent — %s.%n", d,
                median(emptyDiffs), d <= 60 ? "met" : "NOT met", beyond, beyond <= 15 ? "met" : "NOT met");
    }

    /**
     * The same pairs for an application with Micrometer ({@code MicrometerHello}: builds a
     * Prometheus registry, scrapes once, exits): with Micrometer, the agent weaves
     * {@code MeterRegistry} on the application's thread as the class is defined (issue 13), so
     * this is the start an application with Micrometer pays. The class path of Micrometer comes
     * from {@code -DmicrometerClasspath} (benchmarks/run asks Maven for sample-apps' class path).
     */
    void micrometerStart(int pairs) throws Exception {
        Path dir = Files.createDirectories(work.resolve("micrometer-start"));
        String cp = samples + java.io.File.pathSeparator + System.getProperty("micrometerClasspath");
        List<String> hello = List.of("-cp", cp, "dev.headroom.samples.MicrometerHello");
        List<String> plain = java(List.of(), hello);
        List<String> agentOnly = java(List.of("-javaagent:" + agent), hello);
        for (int i = 0; i < 3; i++) {
            wallMillis(dir, plain);
            wallMillis(dir, agentOnly);
        }
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> diffs = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            double w;
            double n;
            if (i % 2 == 0) {
                w = wallMillis(dir, agentOnly);
                n = wallMillis(dir, plain);
            } else {
                n = wallMillis(dir, plain);
                w = wallMillis(dir, agentOnly);
            }
            with.add(w);
            without.add(n);
            diffs.add(w - n);
        }
        System.out.printf(Locale.ROOT, "`java -cp headroom-sample-apps.jar:<Micrometer 1.17 with its Prometheus registry>"
                + " dev.headroom.samples.MicrometerHello` (builds a `PrometheusMeterRegistry`, scrapes once, exits) with"
                + " `-javaagent:headroom-agent.jar` (default options) and without; wall time from process start to exit,"
                + " %d pairs in alternating order after 3 warm-up pairs.%n%n", pairs);
        System.out.println("| | with agent | without | added by the agent |");
        System.out.println("|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| median | %.0f ms | %.0f ms | **%.0f ms** (median of paired differences) |%n",
                median(with), median(without), median(diffs));
        System.out.printf(Locale.ROOT, "| quartiles of the paired differences | | | %.0f … %.0f ms |%n",
                percentile(diffs, 25), percentile(diffs, 75));
        System.out.printf(Locale.ROOT, "| min … max | %.0f … %.0f ms | %.0f … %.0f ms | |%n",
                Collections.min(with), Collections.max(with), Collections.min(without), Collections.max(without));
    }

    private double wallMillis(Path dir, List<String> command) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("failed: " + command);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    // ---- throughput

    /**
     * AllocationLoad with and without the agent, side by side: each pair runs both JVMs at once, each
     * pinned to its own CPU with one active processor (so the agent's thread shares the
     * application's CPU, the worst case, and a busy moment of the machine hits both), the CPUs
     * swapped between pairs. Each run warms up long enough for the agent's own start-up (JMX, JFR,
     * Jackson on its thread) and the JIT to be over, then counts operations in one-second slices.
     * A pair's difference is the median of its simultaneous slices' ratios, so what the machine did
     * in a given second cancels out; what remains is the agent and the two JVMs' own spread.
     */
    void throughput(int pairs) throws Exception {
        Path dir = Files.createDirectories(work.resolve("throughput"));
        int measured = Integer.getInteger("throughput.seconds", 20);
        int warmup = Integer.getInteger("throughput.warmup", 20);
        List<Double> with = new ArrayList<>();
        List<Double> without = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        List<Double> identical = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            // The agent's pair, then a pair of two JVMs without it in the same design: the spread
            // between identical JVMs, measured alongside, is what a difference must stand out of.
            double[] treated = sideBySide(dir, i, measured, warmup, true);
            double[] same = sideBySide(dir, i + 1, measured, warmup, false);
            with.add(treated[0]);
            without.add(treated[1]);
            ratios.add(treated[2]);
            identical.add(same[2]);
            System.err.printf(Locale.ROOT, "throughput pair %d: with %.0f, without %.0f ops/s (%+.2f %%); identical JVMs %+.2f %%%n",
                    i + 1, treated[0], treated[1], treated[2], same[2]);
        }
        double diff = median(ratios);
        double noise = percentile(identical.stream().map(Math::abs).toList(), 50);
        System.out.printf(Locale.ROOT, "AllocationLoad (one thread, about 2 KiB of short-lived objects per operation,"
                + " `-Xms256m -Xmx256m -XX:ActiveProcessorCount=1`, so the Serial collector) with and without the agent"
                + " (default options), %d pairs; the two JVMs of a pair run at the same time, each pinned to its own CPU with"
                + " `taskset` (the agent's thread shares the application's CPU), the CPUs and the start order swapped between"
                + " pairs. Each run warms up for %d s (the agent's start-up and the JIT over), then counts operations in %d"
                + " one-second slices; a pair's difference is the median ratio of its simultaneous slices. After each pair,"
                + " a pair of two JVMs without the agent runs the same way: their difference is the noise.%n%n",
                pairs, warmup, measured);
        System.out.println("| | each pair | median |");
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| with the agent against without (median slice, ops/s) | %s against %s | %.0f against %.0f |%n",
                list(with), list(without), median(with), median(without));
        System.out.printf(Locale.ROOT, "| with the agent against without | %s %% | **%+.2f %%** |%n", list(ratios, "%+.2f"), diff);
        System.out.printf(Locale.ROOT, "| two JVMs without the agent (noise) | %s %% | %+.2f %% (median size %.2f %%) |%n",
                list(identical, "%+.2f"), median(identical), noise);
        System.out.printf(Locale.ROOT, "%nBudget: within 1 %%. Measured: %+.2f %%, against %.2f %% between identical JVMs — %s.%n",
                diff, noise, Math.abs(diff) <= 1 ? "met" : noise > 1 ? "not resolved: the noise is larger than the budget" : "NOT met");
    }

    /** One pair side by side: {rate of the first, rate of the second, median slice ratio − 1 in %}. */
    private double[] sideBySide(Path dir, int i, int measured, int warmup, boolean agentInFirst) throws Exception {
        int cpu = i % 2;
        List<String> first = pinned(cpu, measured, warmup, agentInFirst);
        List<String> second = pinned(1 - cpu, measured, warmup, false);
        Proc a;
        Proc b;
        if ((i / 2) % 2 == 0) {
            a = Proc.start(dir, first);
            b = Proc.start(dir, second);
        } else {
            b = Proc.start(dir, second);
            a = Proc.start(dir, first);
        }
        List<Double> as = slices(a.await("allocation-load done:", 300));
        List<Double> bs = slices(b.await("allocation-load done:", 300));
        a.waitFor();
        b.waitFor();
        if (agentInFirst && !a.output().contains("headroom: watching")) {
            throw new IllegalStateException("the agent did not start: " + a.output());
        }
        List<Double> each = new ArrayList<>();
        for (int k = 0; k < Math.min(as.size(), bs.size()); k++) {
            each.add(as.get(k) / bs.get(k));
        }
        return new double[] {median(as), median(bs), (median(each) - 1) * 100};
    }

    private List<String> pinned(int cpu, int measured, int warmup, boolean withAgent) {
        List<String> command = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu), JAVA,
                "-XX:ActiveProcessorCount=1", "-Xms256m", "-Xmx256m"));
        if (withAgent) {
            command.add("-javaagent:" + agent);
        }
        command.addAll(List.of("-cp", samples.toString(), "dev.headroom.samples.AllocationLoad",
                Integer.toString(measured), Integer.toString(warmup)));
        return command;
    }

    /**
     * The same comparison inside one JVM, which takes the run-to-run spread of the JIT's choices and
     * the heap's layout out of it: AllocationLoad counts 60 one-second slices; in the treatment JVM
     * the agent is attached ({@code attach <pid>}, default options) after slice 20, in the control
     * JVM nothing happens. The agent's cost is the treatment's change from slices 0–19 to slices
     * 50–79 (its start-up over), less the control's change over the same slices (drift). Each pair
     * runs side by side, each JVM pinned to its own CPU with one active processor, so the agent's
     * thread shares the application's CPU (the worst case) and a busy moment of the machine hits
     * both; the CPUs swap between pairs.
     */
    void throughputAttach(int pairs) throws Exception {
        Path dir = Files.createDirectories(work.resolve("throughput-attach"));
        int warmup = 10;
        int attachAfter = 20;
        List<Double> effects = new ArrayList<>();
        List<Double> treated = new ArrayList<>();
        List<Double> drifts = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            int cpu = i % 2;
            Proc treatment = Proc.start(dir, pinned(cpu, warmup));
            Proc control = Proc.start(dir, pinned(1 - cpu, warmup));
            treatment.await("allocation-load ready", 60);
            control.await("allocation-load ready", 60);
            Thread.sleep((warmup + attachAfter) * 1000L);
            String attached = run(dir, JAVA, "-jar", agent.toString(), "attach", Long.toString(treatment.pid()));
            List<Double> t = slices(treatment.await("allocation-load done:", 300));
            List<Double> c = slices(control.await("allocation-load done:", 300));
            treatment.waitFor();
            control.waitFor();
            if (!treatment.output().contains("headroom: watching")) {
                throw new IllegalStateException("the agent did not start in the treatment JVM: " + attached + " " + treatment.output());
            }
            double tChange = median(t.subList(50, 80)) / median(t.subList(0, 20));
            double cChange = median(c.subList(50, 80)) / median(c.subList(0, 20));
            treated.add((tChange - 1) * 100);
            drifts.add((cChange - 1) * 100);
            effects.add((tChange / cChange - 1) * 100);
            System.err.printf(Locale.ROOT, "throughput-attach pair %d: treatment %+.2f %%, control %+.2f %%%n", i + 1,
                    (tChange - 1) * 100, (cChange - 1) * 100);
        }
        double effect = median(effects);
        System.out.printf(Locale.ROOT, "The same comparison inside one JVM: AllocationLoad (`-Xms256m -Xmx256m"
                + " -XX:ActiveProcessorCount=1`, pinned to one CPU with `taskset`) counts 80 one-second slices after %d s of"
                + " warm-up; the agent is attached (`java -jar headroom-agent.jar attach <pid>`, default options) to the"
                + " treatment JVM after slice %d, and to the control JVM, run beside it on the other CPU, nothing. The agent's"
                + " cost is the treatment's change from slices 0–19 (without) to slices 50–79 (with, 30–60 s after the attach), less"
                + " the control's change over the same slices; %d pairs, the CPUs swapped between pairs.%n%n", warmup,
                attachAfter, pairs);
        System.out.println("| | each pair | median |");
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| treatment: slices 50–79 against 0–19 | %s %% | %+.2f %% |%n", list(treated, "%+.2f"), median(treated));
        System.out.printf(Locale.ROOT, "| control (drift): the same slices | %s %% | %+.2f %% |%n", list(drifts, "%+.2f"), median(drifts));
        System.out.printf(Locale.ROOT, "| the agent's effect | %s %% | **%+.2f %%** |%n", list(effects, "%+.2f"), effect);
        System.out.printf(Locale.ROOT, "%nBudget: within 1 %%. Measured inside one JVM: %+.2f %% — %s.%n", effect,
                Math.abs(effect) <= 1 ? "met" : "NOT met");
    }

    private List<String> pinned(int cpu, int warmup) {
        return List.of("taskset", "-c", Integer.toString(cpu), JAVA, "-XX:ActiveProcessorCount=1", "-Xms256m", "-Xmx256m",
                "-cp", samples.toString(), "dev.headroom.samples.AllocationLoad", "80", Integer.toString(warmup));
    }

    private static List<Double> slices(String done) {
        List<Double> rates = new ArrayList<>();
        for (String slice : done.replaceAll(".*slices \\(ops per second\\): *", "").trim().split(" +")) {
            rates.add(Double.parseDouble(slice));
        }
        return rates;
    }

    // ---- timeliness

    /** A one-step jump of the working set past the critical share: how soon is the critical event written? */
    void timeliness(int runs) throws Exception {
        List<Double> fromEnd = new ArrayList<>();
        List<Double> fromStart = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Path dir = Files.createDirectories(work.resolve("step-" + i));
            Path events = dir.resolve("events.jsonl");
            Files.deleteIfExists(events);
            try (ChildCgroup cg = ChildCgroup.create(1024L << 20)) {
                // -Xmx512m: with max heap and everything beside the heap fitting the limit (as at
                // -Xmx128m, 128 + 715 MiB), a step that stops is no kill coming and the policy stays
                // quiet (Policy, ceilingsFit); here max heap + the step exceed the limit, as in a
                // container sized by MaxRAMPercentage, so the step is critical at criticalShare.
                Proc p = Proc.start(dir, cg.wrap(java(List.of("-Xmx512m", "-XX:MaxDirectMemorySize=1g", "-javaagent:" + agent + "=eventLog=" + events
                                + ",warnShare=0.5,criticalShare=0.6,heapDump=false,histogram=false"),
                        List.of("-cp", samples.toString(), "dev.headroom.samples.WorkingSetStep", "650", "4", "4"))));
                String step = p.await("working-set-step step:", 60);
                p.await("working-set-step done", 60);
                p.waitFor();
                long start = Long.parseLong(step.replaceAll(".*start=(\\d+).*", "$1"));
                long end = Long.parseLong(step.replaceAll(".*end=(\\d+).*", "$1"));
                JsonNode critical = firstEvent(events, "critical");
                if (critical == null) {
                    throw new IllegalStateException("no critical event in " + events);
                }
                long t = Instant.parse(critical.get("time").asText()).toEpochMilli();
                fromEnd.add((double) (t - end));
                fromStart.add((double) (t - start));
                System.err.printf(Locale.ROOT, "step %d: %d ms long, critical %d ms after its end%n", i + 1, end - start, t - end);
            }
        }
        double worst = Collections.max(fromEnd);
        System.out.printf(Locale.ROOT, "WorkingSetStep (`-Xmx512m`: max heap and the step together exceed the limit) in a 1 GiB memory cgroup: a baseline of about 100 MiB, then 650 MiB of direct memory"
                + " touched at once (the step takes a few hundred ms); the agent at the default 1 s interval (quick ticks on, the default) with"
                + " `warnShare=0.5,criticalShare=0.6` (the step lands at about 75 %% of the limit, well short of the kill)."
                + " Delay from the end of the step (the app prints the time) to the `time` of the `critical` event; %d runs.%n%n", runs);
        System.out.println("| | median | max | each run |");
        System.out.println("|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| from the end of the step | **%.0f ms** | %.0f ms | %s |%n", median(fromEnd), worst, list(fromEnd));
        System.out.printf(Locale.ROOT, "| from the start of the step | %.0f ms | %.0f ms | %s |%n", median(fromStart),
                Collections.max(fromStart), list(fromStart));
        System.out.printf(Locale.ROOT, "%nBudget: seen within one interval (1000 ms). Measured: at most %.0f ms after the step — %s.%n",
                worst, worst <= 1000 ? "met" : "NOT met");
    }

    /** HeapGrowth in a 512 MiB cgroup until the OOM kill: was the dump started with twice its time left? */
    void dump(int runs) throws Exception {
        System.out.println("HeapGrowth (10 and 30 MiB/s of retained objects over a 120 MiB direct baseline, `-XX:MaxRAMPercentage=80`)"
                + " in a 512 MiB memory cgroup, until the kernel's OOM kill; default options. From the `critical` event (the"
                + " tick that starts the dump): the forecast time to the limit, the dump's expected time, and what happened.\n");
        System.out.println("| run | growth | secondsToLimit at the dump's start | expectedDumpSeconds | ratio | dump took | kill came after the critical event |");
        System.out.println("|---|---|---|---|---|---|---|");
        int met = 0;
        int[] rates = {10, 30};
        for (int i = 0; i < runs * rates.length; i++) {
            int rate = rates[i % rates.length];
            Path dir = Files.createDirectories(work.resolve("dump-" + i));
            Path events = dir.resolve("events.jsonl");
            Files.deleteIfExists(events);
            try (Stream<Path> old = Files.list(dir)) {
                for (Path f : old.toList()) {
                    if (f.getFileName().toString().endsWith(".hprof")) {
                        Files.delete(f);
                    }
                }
            }
            long exitMillis;
            try (ChildCgroup cg = ChildCgroup.create(512L << 20)) {
                Proc p = Proc.start(dir, cg.wrap(java(List.of("-XX:MaxRAMPercentage=80", "-javaagent:" + agent + "=eventLog=" + events
                                + ",dumpDir=" + dir + ",snapshotEvery=1s"),
                        List.of("-cp", samples.toString(), "dev.headroom.samples.HeapGrowth", Integer.toString(rate), "120", "120"))));
                p.waitFor();
                exitMillis = System.currentTimeMillis();
            }
            JsonNode critical = firstEvent(events, "critical");
            JsonNode heapDump = firstEvent(events, "heapDump");
            if (critical == null) {
                System.out.printf("| %d | %d MiB/s | no critical event | | | | |%n", i + 1, rate);
                continue;
            }
            double toLimit = critical.path("secondsToLimit").asDouble(Double.NaN);
            double expected = critical.path("expectedDumpSeconds").asDouble(Double.NaN);
            long t = Instant.parse(critical.get("time").asText()).toEpochMilli();
            double ratio = toLimit / expected;
            if (ratio >= 2) {
                met++;
            }
            System.out.printf(Locale.ROOT, "| %d | %d MiB/s | %.1f s | %.2f s | %.1f | %s | %.1f s |%n", i + 1, rate, toLimit, expected, ratio,
                    heapDump == null ? "no dump" : String.format(Locale.ROOT, "%.2f s", heapDump.get("millis").asDouble() / 1000),
                    (exitMillis - t) / 1000.0);
        }
        System.out.printf(Locale.ROOT, "%nBudget: the dump starts while the forecast time to the limit is at least twice the expected"
                + " dump time. Measured: %d of %d runs — %s.%n", met, runs * rates.length, met == runs * rates.length ? "met" : "NOT met in every run");
    }

    private static final Pattern DUMP_CREATED = Pattern.compile("Heap dump file created \\[(\\d+) bytes in ([0-9.]+) secs]");

    /**
     * Plain against gzip heap dumps of the same live heap, three shapes of it: their size and the
     * time HotSpot says it took to write each ({@code jcmd GC.heap_dump}, with and without
     * {@code -gz=1}: the writer and level the agent's compressed dump uses, {@code GzipHeapDump}).
     */
    void dumpSize(int runs) throws Exception {
        Path dir = Files.createDirectories(work.resolve("dump-size"));
        String[] shapes = {"objects", "random", "zeros"};
        System.out.println("`RetainedHeap` (300 MiB held, `-Xmx1g`) in three shapes: `objects` (a map of small records with"
                + " strings, boxes and lists, a service's cache), `random` (byte arrays of random bytes: encrypted or"
                + " compressed data, the worst case), `zeros` (byte arrays touched once a page, the best case). Each run dumps"
                + " the same JVM plain (`jcmd GC.heap_dump`) and compressed (`jcmd GC.heap_dump -gz=1`, the writer and"
                + " level of the agent's `dumpCompress`), in alternating order; the time is the one HotSpot prints"
                + " (the dump's writing, after the full GC both run). Medians over " + runs + " runs.\n");
        System.out.println("| shape | plain dump | its time | gzip dump | its time | gzip ÷ plain, size | gzip ÷ plain, time |");
        System.out.println("|---|---|---|---|---|---|---|");
        List<Double> gzRates = new ArrayList<>();
        for (String shape : shapes) {
            List<Double> plainBytes = new ArrayList<>();
            List<Double> plainSecs = new ArrayList<>();
            List<Double> gzBytes = new ArrayList<>();
            List<Double> gzSecs = new ArrayList<>();
            Proc p = Proc.start(dir, java(List.of("-Xmx1g"), List.of("-cp", samples.toString(),
                    "dev.headroom.samples.RetainedHeap", "300", shape, "900")));
            try {
                p.await("retained-heap ready", 120);
                for (int i = 0; i < runs; i++) {
                    for (int k = 0; k < 2; k++) {
                        boolean gz = (i + k) % 2 == 1;
                        Path file = dir.resolve(shape + "-" + i + (gz ? ".hprof.gz" : ".hprof"));
                        Files.deleteIfExists(file);
                        String out = gz ? run(dir, "jcmd", Long.toString(p.pid()), "GC.heap_dump", "-gz=1", file.toString())
                                : run(dir, "jcmd", Long.toString(p.pid()), "GC.heap_dump", file.toString());
                        Matcher m = DUMP_CREATED.matcher(out);
                        if (!m.find()) {
                            throw new IllegalStateException("jcmd GC.heap_dump: " + out);
                        }
                        (gz ? gzBytes : plainBytes).add(Double.parseDouble(m.group(1)));
                        (gz ? gzSecs : plainSecs).add(Double.parseDouble(m.group(2)));
                        Files.deleteIfExists(file);
                    }
                }
            } finally {
                p.destroy();
            }
            double sizeRatio = median(gzBytes) / median(plainBytes);
            double timeRatio = median(gzSecs) / median(plainSecs);
            // The heap written per second: the plain dump's size is the heap as the dump holds it.
            gzRates.add(median(plainBytes) / median(gzSecs) / (1 << 20));
            System.out.printf(Locale.ROOT, "| %s | %.0f MiB | %.2f s | %.0f MiB | %.2f s | **%.2f** (%.1f times smaller) | **%.2f** |%n", shape,
                    median(plainBytes) / (1 << 20), median(plainSecs), median(gzBytes) / (1 << 20), median(gzSecs),
                    sizeRatio, 1 / sizeRatio, timeRatio);
        }
        System.out.printf(Locale.ROOT, "%nThe agent counts a gzip dump at 20 MiB/s of heap in use and at 50 %% of it on disk"
                        + " (`HeapDumper.GZIP_BYTES_PER_SECOND`, `GZIP_SIZE_SHARE`), and chooses it on its own (`dumpCompress=auto`)"
                        + " only when the plain dump does not fit the disk and twice that time is left before the forecast kill."
                        + " Measured here: gzip at %.0f MiB/s at the slowest — %s.%n", Collections.min(gzRates),
                Collections.min(gzRates) >= 20 ? "the count holds" : "NOT as counted");
    }

    // ---- footprint

    /** The agent's own figures against a heap dump of the same JVM, and the whole cost against a JVM without it. */
    void footprint() throws Exception {
        Path dir = Files.createDirectories(work.resolve("footprint"));
        Path events = dir.resolve("events.jsonl");
        Files.deleteIfExists(events);
        List<String> idle = List.of("-Xmx256m", "-cp", samples.toString(), "dev.headroom.samples.Idle", "200");
        // jfr, jmx and micrometer stay at their defaults (on), as a user has them.
        Proc with = Proc.start(dir, java(List.of("-javaagent:" + agent + "=eventLog=" + events + ",snapshotEvery=5s"), idle));
        Proc without = Proc.start(dir, java(List.of(), idle));
        with.await("idle ready", 30);
        without.await("idle ready", 30);
        // Past the flight file's 120 samples and the second self-measure (at 130 s), so every ring is full.
        Thread.sleep(140_000);
        Path hprof = dir.resolve("with.hprof");
        Files.deleteIfExists(hprof);
        run(dir, "jcmd", Long.toString(with.pid()), "GC.heap_dump", hprof.toString());
        String histoWith = run(dir, "jcmd", Long.toString(with.pid()), "GC.class_histogram");
        String histoWithout = run(dir, "jcmd", Long.toString(without.pid()), "GC.class_histogram");
        JsonNode last = lastEvent(events, "snapshot");
        with.destroy();
        without.destroy();
        HeapDumpFootprint.Result dump = HeapDumpFootprint.measure(hprof);
        long selfHeap = last.path("jvm").path("agentHeapBytes").asLong(-1);
        long selfClasses = last.path("jvm").path("agentClasses").asLong(-1);
        long totalWith = histogramTotal(histoWith);
        long totalWithout = histogramTotal(histoWithout);
        long classesWith = histogramClasses(histoWith, null);
        long ownInHisto = histogramClasses(histoWith, "dev.headroom.");
        System.out.println("Idle (`-Xmx256m`) with the agent (default options: JMX, JFR and the Micrometer watch on), 140 s after start"
                + " (after its second self-measure, at 130 s, with the flight file's 120 samples full); the same app without the agent beside it.\n");
        System.out.println("| | bytes | how |");
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| agent's own retained heap, as it reports itself (`agentHeapBytes`) | **%s** | the agent walks its objects at start, at 130 s, then every 5 minutes |%n",
                kib(selfHeap));
        System.out.printf(Locale.ROOT, "| agent's retained heap in a heap dump of the same JVM | **%s** (%d objects) | reachable from GC roots only through the agent's objects, its classes' statics and its threads (`HeapDumpFootprint`) |%n",
                kib(dump.retainedBytes()), dump.objects());
        System.out.printf(Locale.ROOT, "| live heap of the whole JVM with the agent − without | %s | `GC.class_histogram` totals (%s − %s): includes the JDK's own structures the agent brings in (see below) |%n",
                kib(totalWith - totalWithout), kib(totalWith), kib(totalWithout));
        System.out.printf(Locale.ROOT, "%n| classes | count |%n|---|---|%n| the agent's own loaded classes, as it reports itself (`agentClasses`) | **%d** |%n",
                selfClasses);
        System.out.printf(Locale.ROOT, "| classes with live instances in the whole JVM with the agent (`GC.class_histogram` rows), for scale | %d |%n", classesWith);
        System.out.println();
        System.out.println("Largest classes in the agent's retained heap (heap dump):\n");
        System.out.println("| class | bytes |");
        System.out.println("|---|---|");
        dump.byClass().entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(10)
                .forEach(e -> System.out.printf(Locale.ROOT, "| `%s` | %s |%n", e.getKey(), kib(e.getValue())));
        System.out.printf(Locale.ROOT, "%nBudget: own retained heap at most 2 MiB and at most 1,500 own classes. Measured: %s (heap dump: %s) and %d classes — %s.%n",
                kib(selfHeap), kib(dump.retainedBytes()), selfClasses,
                Math.max(selfHeap, dump.retainedBytes()) <= 2L << 20 && selfClasses <= 1500 ? "met" : "NOT met");
        if (ownInHisto < 0) {
            System.out.println();
        }
    }

    private static long histogramTotal(String histo) {
        for (String line : histo.split("\n")) {
            if (line.trim().startsWith("Total")) {
                String[] f = line.trim().split("\\s+");
                return Long.parseLong(f[2]);
            }
        }
        return -1;
    }

    private static long histogramClasses(String histo, String prefix) {
        long n = 0;
        for (String line : histo.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":") && (prefix == null || f[3].startsWith(prefix))) {
                n++;
            }
        }
        return n;
    }

    // ---- helpers

    private static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static JsonNode firstEvent(Path events, String name) throws IOException {
        if (!Files.exists(events)) {
            return null;
        }
        for (String line : Files.readAllLines(events)) {
            JsonNode n = JSON.readTree(line);
            if (name.equals(n.path("event").asText())) {
                return n;
            }
        }
        return null;
    }

    private static JsonNode lastEvent(Path events, String name) throws IOException {
        JsonNode last = null;
        for (String line : Files.readAllLines(events)) {
            JsonNode n = JSON.readTree(line);
            if (name.equals(n.path("event").asText())) {
                last = n;
            }
        }
        return last;
    }

    private static List<String> java(List<String> agentArgs, List<String> rest) {
        List<String> c = new ArrayList<>();
        c.add(JAVA);
        c.addAll(agentArgs);
        c.addAll(rest);
        return c;
    }

    static double median(List<Double> values) {
        return percentile(values, 50);
    }

    static double percentile(List<Double> values, double p) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        double rank = p / 100 * (v.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return v[lo] + (v[hi] - v[lo]) * (rank - lo);
    }

    private static String list(List<Double> values) {
        return list(values, "%.0f");
    }

    private static String list(List<Double> values, String format) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(String.format(Locale.ROOT, format, v));
        }
        return sb.toString();
    }

    private static String kib(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.0f KiB", bytes / 1024.0);
    }

    /** A child JVM whose output is watched line by line. */
    static final class Proc {
        private final Process process;
        private final List<String> lines = new ArrayList<>();

        private Proc(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (lines) {
                            lines.add(line);
                            lines.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // process gone
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        static Proc start(Path dir, List<String> command) throws IOException {
            return new Proc(new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start());
        }

        long pid() {
            return process.pid();
        }

        /** Everything the process printed so far, one line after another. */
        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }

        /** Waits for a line starting with the text (after any prefix) and returns it. */
        String await(String text, int seconds) throws InterruptedException {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            synchronized (lines) {
                while (true) {
                    for (String line : lines) {
                        if (line.contains(text)) {
                            return line;
                        }
                    }
                    long left = end - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("no '" + text + "' within " + seconds + " s; output: " + lines);
                    }
                    lines.wait(Math.max(1, left / 1_000_000));
                }
            }
        }

        void waitFor() throws InterruptedException {
            process.waitFor(300, TimeUnit.SECONDS);
        }

        /** utime + stime of the process (every thread, the ended ones too), in ms. */
        double cpuMillis() throws IOException {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 1000.0 / CLOCK_TICKS;
        }

        /**
         * The run time of the process's live threads in ms, {total, the agent's threads (named
         * {@code headroom*}), the JIT's compiler threads}.
         */
        double[] threadGroupsCpuMillis() throws IOException {
            long[] nanos = new long[3];
            try (var tasks = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        long n = Long.parseLong(Files.readString(task.resolve("schedstat")).split(" ")[0]);
                        String comm = Files.readString(task.resolve("comm")).trim();
                        nanos[0] += n;
                        if (comm.startsWith("headroom")) {
                            nanos[1] += n;
                        } else if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                            nanos[2] += n;
                        }
                    } catch (IOException | RuntimeException e) {
                        // a thread that ended while we looked
                    }
                }
            }
            return new double[] {nanos[0] / 1e6, nanos[1] / 1e6, nanos[2] / 1e6};
        }

        void destroy() throws InterruptedException {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** USER_HZ: Linux reports utime and stime in these (100 on every common architecture). */
    static final long CLOCK_TICKS = clockTicks();

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100;
        }
    }

    /** A memory-limited child of this process's own v1 (or v2) memory cgroup, removed on close. */
    static final class ChildCgroup implements AutoCloseable {
        private final Path dir;

        private ChildCgroup(Path dir) {
            this.dir = dir;
        }

        static ChildCgroup create(long limitBytes) throws IOException {
            Path own = null;
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (Arrays.asList(f[1].split(",")).contains("memory")) {
                    own = Path.of("/sys/fs/cgroup/memory" + f[2]);
                }
            }
            if (own == null) {
                throw new IOException("no v1 memory cgroup (the harness needs a writable v1 memory hierarchy, as the ITs do)");
            }
            Path dir = own.resolve("headroom-bench-" + Long.toHexString(System.nanoTime()));
            Files.createDirectory(dir);
            Files.writeString(dir.resolve("memory.limit_in_bytes"), Long.toString(limitBytes));
            return new ChildCgroup(dir);
        }

        List<String> wrap(List<String> command) {
            StringBuilder sh = new StringBuilder("echo $$ > '" + dir.resolve("cgroup.procs") + "' && exec");
            for (String arg : command) {
                sh.append(" '").append(arg.replace("'", "'\\''")).append('\'');
            }
            return List.of("/bin/sh", "-c", sh.toString());
        }

        @Override
        public void close() throws Exception {
            for (String pid : Files.readString(dir.resolve("cgroup.procs")).trim().split("\n")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(p -> {
                        p.destroyForcibly();
                        try {
                            p.onExit().get(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                }
            }
            for (int i = 0; i < 50; i++) {
                try {
                    Files.delete(dir);
                    return;
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
        }
    }
}
