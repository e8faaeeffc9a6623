package dev.headroom.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The agent's effective configuration, immutable. Built by {@link OptionsParser}; every key is
 * documented in {@link Key} and docs/configuration.md.
 *
 * @param quickTicks far from the limit and steady, ticks that only read the cgroup's usage
 *                   ({@code dev.headroom.act.SamplingCadence}); false: every tick reads everything
 * @param lightJit   the agent's own code compiled by C1 only ({@code dev.headroom.agent.OwnCompilation})
 * @param eventLog   {@code null}: no event log
 * @param dumpDir    {@code null}: decided at dump time (-XX:HeapDumpPath, else the working directory)
 * @param limitBytes {@code -1}: none given
 * @param effective  every option's effective value as text, for the {@code start} event
 */
public record Options(
        long intervalMillis,
        long snapshotEveryMillis,
        long nmtEveryMillis,
        boolean quickTicks,
        boolean lightJit,
        Path eventLog,
        Path dumpDir,
        long limitBytes,
        Path cgroupRoot,
        Path procRoot,
        boolean quiet,
        Policy policy,
        Evidence evidence,
        Relief relief,
        Outputs outputs,
        Map<String, String> effective) {

    public Options {
        effective = Collections.unmodifiableMap(new LinkedHashMap<>(effective));
    }

    /** When to warn and when it is critical. */
    public record Policy(long horizonMillis, double warnShare, double criticalShare, long cooldownMillis,
                         long dumpBytesPerSecond) {
    }

    /** What evidence to take at critical, and the bounds on it. */
    public record Evidence(boolean heapDump, boolean dumpLive, boolean dumpForce, int maxDumps,
                           long dumpIntervalMillis, int keep, long marginBytes, boolean histogram,
                           boolean histogramLive, String dumpCompress) {
    }

    /** Opt-in relief and the command hook. {@code softMaxHeapBytes} -1 and {@code hook} empty mean off. */
    public record Relief(boolean trimNativeHeap, boolean gc, long softMaxHeapBytes, String hook,
                         long hookTimeoutMillis, Path hookOutput) {
    }

    /**
     * Where the agent publishes: flight file, termination log, Micrometer (and its meters' names:
     * {@code headroom}, {@code otel} or {@code both}), JMX, JFR; and when the measured budget is
     * first said ({@code budgetWarmupMillis} after start).
     */
    public record Outputs(Path flightFile, int flightHistory, String terminationLog, boolean micrometer,
                          String meterNames, boolean jmx, boolean jfr, long budgetWarmupMillis) {
    }

    /** The defaults, as if no option had been given anywhere. */
    public static Options defaults() {
        try {
            return OptionsParser.parse(null, new java.util.Properties(), Map.of());
        } catch (OptionException e) {
            throw new IllegalStateException("defaults must parse", e);
        }
    }
}
