package dev.headroom.benchmarks;

import dev.headroom.sense.jvm.NmtReader;
import dev.headroom.sense.jvm.NmtSummary;
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

import java.util.concurrent.TimeUnit;

/**
 * The NMT read alone ({@code VM.native_memory summary} through the DiagnosticCommand MBean, then
 * parsed), in a JVM started with NMT on. The agent reads it on its own, slower cadence
 * ({@code nmtEvery}), never every tick.
 */
@BenchmarkMode({Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m", "-XX:+UseG1GC", "-XX:NativeMemoryTracking=summary"})
@State(Scope.Thread)
public class NmtBenchmark {

    private NmtReader reader;

    @Setup(Level.Trial)
    public void setUp() {
        reader = new NmtReader();
        if (!reader.enabled() || reader.read() == null) {
            throw new IllegalStateException("NMT is not readable: " + reader.lastProblem());
        }
    }

    @Benchmark
    public NmtSummary nmtRead() {
        return reader.read();
    }
}
