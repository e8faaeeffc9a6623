package dev.headroom.benchmarks;

import dev.headroom.act.Decision;
import dev.headroom.act.Policy;
import dev.headroom.act.PolicySettings;
import dev.headroom.forecast.Forecast;
import dev.headroom.forecast.ForecastSettings;
import dev.headroom.forecast.Forecaster;
import dev.headroom.forecast.History;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Reconciler;
import dev.headroom.sense.Sensor;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.cgroup.CgroupMemory;
import dev.headroom.sense.cgroup.CgroupMemoryReader;
import dev.headroom.sense.jvm.JvmMemory;
import dev.headroom.sense.jvm.JvmReader;
import dev.headroom.sense.jvm.OwnHeap;
import dev.headroom.sense.process.ProcessMemory;
import dev.headroom.sense.process.ProcessReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The sampling tick without NMT, as {@code AgentRuntime.tick} runs it (sense, reconcile, history,
 * forecast, policy), and each stage alone, on this machine's real {@code /proc} and memory cgroup.
 *
 * <p>Time is a synthetic clock that advances one interval (1 s) per call, so the history fills and
 * wraps exactly as it does in a running agent (600 samples, windows of 30) instead of replacing
 * one sample over and over, which a wall clock read many times a millisecond would do. Run with
 * {@code -prof gc} for the bytes allocated per tick ({@code gc.alloc.rate.norm}).
 */
@BenchmarkMode({Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m", "-XX:+UseG1GC"})
public class TickBenchmark {

    private static final long INTERVAL_MILLIS = 1000;

    @State(Scope.Thread)
    public static class Agent {
        Sensor sensor;
        History history;
        ForecastSettings forecastSettings;
        Policy policy;
        long now;

        // Fixed inputs for the stages measured alone.
        Snapshot snapshot;
        Breakdown breakdown;
        Forecast forecast;
        CgroupMemoryReader cgroupReader;
        ProcessReader processReader;
        JvmReader jvmReader;

        @Setup(Level.Trial)
        public void setUp() {
            sensor = new Sensor(Path.of("/proc"), Path.of("/sys/fs/cgroup"), -1, (source, message) -> {
                throw new IllegalStateException(source + ": " + message);
            });
            history = new History();
            forecastSettings = ForecastSettings.defaults();
            policy = new Policy(PolicySettings.defaults().withIntervalSeconds(INTERVAL_MILLIS / 1000.0));
            now = System.currentTimeMillis();
            // A full history, as after ten minutes of running.
            for (int i = 0; i < History.DEFAULT_CAPACITY + 10; i++) {
                tick();
            }
            snapshot = sensor.sample(now, false);
            breakdown = Reconciler.reconcile(snapshot);
            forecast = Forecaster.forecast(history, forecastSettings);
            cgroupReader = sensor.cgroupReader();
            if (cgroupReader == null) {
                throw new IllegalStateException("no memory cgroup found on this machine");
            }
            processReader = new ProcessReader(Path.of("/proc"));
            jvmReader = sensor.jvmReader();
        }

        Decision tick() {
            now += INTERVAL_MILLIS;
            Snapshot s = sensor.sample(now, false);
            Breakdown b = Reconciler.reconcile(s);
            history.add(s, b);
            Forecast f = Forecaster.forecast(history, forecastSettings);
            return policy.decide(f, s);
        }
    }

    /** The whole tick without NMT. */
    @Benchmark
    public Decision tick(Agent a) {
        return a.tick();
    }

    /** Sensor.sample: cgroup files, /proc/self/status and the MXBeans, into a Snapshot. */
    @Benchmark
    public Snapshot sense(Agent a) {
        a.now += INTERVAL_MILLIS;
        return a.sensor.sample(a.now, false);
    }

    /** The memory cgroup's files alone (v1 here: usage, stat, memsw, kmem, failcnt, oom_control, procs, PSI). */
    @Benchmark
    public CgroupMemory cgroupRead(Agent a) throws IOException {
        return a.cgroupReader.read();
    }

    /** /proc/self/status alone. */
    @Benchmark
    public ProcessMemory processRead(Agent a) throws IOException {
        return a.processReader.read();
    }

    /** The MXBeans alone (heap, pools, buffer pools, threads, classes, collectors). */
    @Benchmark
    public JvmMemory jvmRead(Agent a) {
        return a.jvmReader.read(null);
    }

    @Benchmark
    public Breakdown reconcile(Agent a) {
        return Reconciler.reconcile(a.snapshot);
    }

    /** History.add on a full ring (the sample's time repeats, so it replaces the latest slot). */
    @Benchmark
    public History historyAdd(Agent a) {
        a.history.add(a.snapshot, a.breakdown);
        return a.history;
    }

    @Benchmark
    public Forecast forecast(Agent a) {
        return Forecaster.forecast(a.history, a.forecastSettings);
    }

    @Benchmark
    public Decision decide(Agent a) {
        return a.policy.decide(a.forecast, a.snapshot);
    }

    /**
     * The agent measuring its own heap (once a minute in the agent), here over the sensor, a full
     * history and the policy; without Instrumentation, so sizes come from the field layout (the agent
     * asks Instrumentation.getObjectSize instead, which is cheaper).
     */
    @Benchmark
    public long selfMeasure(Agent a) {
        return new OwnHeap(null).retainedBytes(a.sensor, a.history, a.policy, a.snapshot, a.breakdown);
    }
}
