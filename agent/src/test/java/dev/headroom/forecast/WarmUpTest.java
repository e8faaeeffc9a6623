package dev.headroom.forecast;

import dev.headroom.act.Decision;
import dev.headroom.act.PolicySettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

import static dev.headroom.forecast.FakeTick.MIB;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM's start-up as the forecaster sees it: native memory (class loading, JIT compilation, a
 * second agent starting beside the application) rising fast and levelling off towards a plateau
 * that fits the limit, {@code amount × (1 − e^(−t/τ))}, with noise on top. It must give no warning.
 * The same growth kept up (a leak at the ramp's initial rate) must still be warned, early.
 */
class WarmUpTest {

    /** A fixed pseudo-random wobble of up to ±amplitude, the same for the same t. */
    static long noise(double t, long amplitude) {
        long h = Double.doubleToLongBits(t * 1.37 + 0.11) * 0x9E3779B97F4A7C15L;
        return amplitude == 0 ? 0 : (h >>> 40) % (2 * amplitude) - amplitude;
    }

    /** A service whose native memory follows {@code nativeBytes(t)}, beside a heap that fits its max. */
    private static FakeRun run(long limitMib, double interval, double seconds, DoubleUnaryOperator nativeBytes,
                               long noiseMib) {
        return run(limitMib, interval, seconds, nativeBytes, noiseMib, null, null);
    }

    /**
     * @param classes       classes loaded since the JVM started, at t ({@code null}: not known)
     * @param compileMillis the JIT's time since the JVM started, at t ({@code null}: not known)
     */
    private static FakeRun run(long limitMib, double interval, double seconds, DoubleUnaryOperator nativeBytes,
                               long noiseMib, DoubleUnaryOperator classes, DoubleUnaryOperator compileMillis) {
        FakeRun run = new FakeRun(ForecastSettings.defaults(), PolicySettings.defaults().withIntervalSeconds(interval));
        long limit = limitMib * MIB;
        long heapMax = limit / 4;
        long gcs = 1;
        for (double t = 0; t < seconds; t += interval) {
            gcs++;
            long nat = (long) nativeBytes.applyAsDouble(t) + 10 * MIB + noise(t, noiseMib * MIB);
            FakeRun.Step step = run.add(FakeTick.at(t).limit(limit)
                    .heap((long) ((t * 7 % 1.0) * 20 * MIB), 20 * MIB, heapMax / 2, heapMax)
                    .gcCount(gcs)
                    .part("metaspace", 30 * MIB)
                    .part("threadStacks", 10 * MIB)
                    .part("nativeUntracked", nat)
                    .startUp(classes == null ? -1 : (long) classes.applyAsDouble(t),
                            compileMillis == null ? -1 : (long) compileMillis.applyAsDouble(t))
                    .build());
            if (step.tick().snapshot().workingSetBytes() >= limit) {
                break;
            }
        }
        return run;
    }

    @ParameterizedTest(name = "{0} MiB levelling off over {1} s in {2} MiB, noise {3} MiB, every {4} s")
    @CsvSource({"150, 30, 512, 1, 1", "150, 20, 512, 4, 1", "250, 40, 512, 2, 1", "200, 30, 400, 3, 0.5",
            "60, 90, 256, 1, 0.5", "150, 20, 512, 1, 0.25"})
    void growthThatLevelsOffBelowTheLimitGivesNoWarning(double amountMib, double tau, long limitMib, long noiseMib,
                                                        double interval) {
        FakeRun run = run(limitMib, interval, 600, t -> amountMib * MIB * (1 - Math.exp(-t / tau)), noiseMib);
        List<FakeRun.Step> warnings = run.due(Decision.Action.WARN);
        assertTrue(warnings.isEmpty(), "warned at " + (warnings.isEmpty() ? 0 : warnings.get(0).seconds()) + " s:\n"
                + run.transcript());
    }

    @ParameterizedTest(name = "{0} MiB/s kept up in {1} MiB, noise {2} MiB, every {3} s")
    @CsvSource({"5, 512, 1, 1", "7.5, 512, 4, 1", "6.25, 512, 2, 1", "6.7, 400, 3, 0.5", "0.7, 256, 1, 0.5",
            "2, 512, 1, 1", "1, 256, 1, 0.5"})
    void theSameGrowthKeptUpIsWarnedEarly(double mibPerSecond, long limitMib, long noiseMib, double interval) {
        FakeRun run = run(limitMib, interval, 3600, t -> mibPerSecond * MIB * t, noiseMib);
        assertWarnedEarly(run, limitMib, 0, String.format(java.util.Locale.ROOT, "native leak %.2f MiB/s in %d MiB",
                mibPerSecond, limitMib));
    }

    /**
     * The leak that began at {@code began} reached the limit, and was warned with at least a third
     * of its time (and 5 s) left; prints the lead.
     */
    private static void assertWarnedEarly(FakeRun run, long limitMib, double began, String what) {
        assertWarnedEarly(run, limitMib, began, what, 5);
    }

    private static void assertWarnedEarly(FakeRun run, long limitMib, double began, String what, double minLead) {
        FakeRun.Step last = run.steps.get(run.steps.size() - 1);
        double kill = last.seconds();
        assertTrue(last.tick().snapshot().workingSetBytes() >= limitMib * MIB, "the leak reached the limit");
        List<FakeRun.Step> warnings = run.due(Decision.Action.WARN);
        assertFalse(warnings.isEmpty(), run.transcript());
        double lead = kill - warnings.get(0).seconds();
        System.out.printf(java.util.Locale.ROOT, "%s: kill at %.1f s, warned %.1f s before (%.0f%% of the leak's"
                + " time)%n", what, kill, lead, 100 * lead / (kill - began));
        assertTrue(lead >= Math.max(minLead, (kill - began) / 3), "warned " + lead + " s before the kill at " + kill
                + " s\n" + run.transcript());
    }

    /** Nothing grows for {@code quiet} seconds, then {@code growth(t - quiet)}. */
    private static DoubleUnaryOperator after(double quiet, DoubleUnaryOperator growth) {
        return t -> t < quiet ? 0 : growth.applyAsDouble(t - quiet);
    }

    /**
     * Growth that begins later in the run (a cache filling, a batch warming up): its forecasts have
     * only its own seconds behind them, not the flat stretch before, so they may not reach far
     * (Policy.REACH_PER_AGE), and by the time they could, the instant recedes. Not among them, known
     * limits (docs/how-it-works.md): 100 MiB levelling off with τ = 15 or 30 s from 32 % to 71 % of a
     * 256 MiB limit is warned 16 or 26 s in (until then its forecasts are what a leak's would be, the
     * kill a minute or less away). The last two rows are a coarse scale whose window holds the flat
     * stretch, the ramp and the plateau: one step, not a trend (Fit#step; warned 104 and 220 s in
     * before it).
     */
    @ParameterizedTest(name = "{0} MiB levelling off over {1} s in {2} MiB after {4} s quiet, every {3} s")
    @CsvSource({"150, 30, 512, 1, 300", "100, 30, 512, 1, 60", "60, 20, 256, 0.5, 900", "150, 20, 512, 0.5, 120",
            "200, 60, 512, 0.5, 600"})
    void growthThatLevelsOffLaterInTheRunGivesNoWarning(double amountMib, double tau, long limitMib, double interval,
                                                        double quiet) {
        FakeRun run = run(limitMib, interval, quiet + 600,
                after(quiet, t -> amountMib * MIB * (1 - Math.exp(-t / tau))), 1);
        List<FakeRun.Step> warnings = run.due(Decision.Action.WARN);
        assertTrue(warnings.isEmpty(), "warned at " + (warnings.isEmpty() ? 0 : warnings.get(0).seconds()) + " s:\n"
                + run.transcript());
    }

    /**
     * A leak that begins after a quiet stretch is young too: it is warned once it has been seen a
     * third of the time left, which costs part of a long lead, and nothing of a short one (30 s or
     * less left: at once).
     */
    @ParameterizedTest(name = "{0} MiB/s in {1} MiB after {3} s quiet, every {2} s")
    @CsvSource({"30, 512, 1, 300", "12, 512, 1, 300", "5, 512, 1, 300", "2, 512, 1, 600", "0.7, 256, 0.5, 120",
            "5, 512, 0.25, 60"})
    void aLeakThatBeginsLaterInTheRunIsStillWarnedEarly(double mibPerSecond, long limitMib, double interval,
                                                        double quiet) {
        FakeRun run = run(limitMib, interval, quiet + 3600, after(quiet, t -> mibPerSecond * MIB * t), 1);
        assertWarnedEarly(run, limitMib, quiet, String.format(java.util.Locale.ROOT,
                "native leak %.2f MiB/s in %d MiB after %.0f s quiet", mibPerSecond, limitMib, quiet));
    }

    /** The JIT busy for {@code share} of the time from {@code from} for {@code seconds}, and idle before and after. */
    private static DoubleUnaryOperator jitBusy(double from, double seconds, double share) {
        return t -> 200 + 1000 * share * Math.min(Math.max(0, t - from), seconds);
    }

    /**
     * A short burst of native growth at a leak's pace that simply stops, while the JIT compiles: a
     * hot path compiled under the first load, or a JVM's start under emulation (measured in the cgroup
     * v2 guest: 14 MiB of untracked native memory at 7.1 MiB/s, 200 MiB from the limit, "forecast" the
     * limit in 27 s and warned; the growth stopped there). While the JVM warms up a forecast may reach
     * no further than its growth has been seen (Policy.WARM_UP_REACH_PER_AGE).
     */
    @ParameterizedTest(name = "{0} MiB/s for {1} s in {2} MiB after {4} s quiet, every {3} s, JIT busy")
    @CsvSource({"7, 4, 256, 0.5, 5", "7, 6, 256, 0.5, 60", "7, 2, 256, 0.5, 1", "20, 3, 400, 0.5, 10",
            "12, 4, 400, 1, 30", "30, 2, 512, 0.5, 60", "30, 5, 512, 0.5, 2"})
    void aBurstWhileTheJitCompilesGivesNoWarning(double mibPerSecond, double seconds, long limitMib, double interval,
                                                 double quiet) {
        FakeRun run = run(limitMib, interval, quiet + 300,
                after(quiet, t -> mibPerSecond * MIB * Math.min(t, seconds)), 1, null,
                jitBusy(quiet, seconds + 3, 0.6));
        List<FakeRun.Step> warnings = run.due(Decision.Action.WARN);
        assertTrue(warnings.isEmpty(), "warned at " + (warnings.isEmpty() ? 0 : warnings.get(0).seconds()) + " s:\n"
                + run.transcript());
    }

    /**
     * A Spring Boot start as measured (docs/sizing.md): 85 MiB in 5 s at up to 30 MiB/s, levelling off,
     * while 4,600 classes load, in the 377 MiB limit recommended for it.
     */
    @ParameterizedTest(name = "{0} MiB over {1} s in {2} MiB while classes load, every {3} s")
    @CsvSource({"85, 1.5, 377, 0.5", "85, 3, 377, 1", "150, 3, 400, 0.5", "60, 1, 256, 0.25"})
    void aStartThatLoadsClassesGivesNoWarning(double amountMib, double tau, long limitMib, double interval) {
        FakeRun run = run(limitMib, interval, 300, t -> amountMib * MIB * (1 - Math.exp(-t / tau)), 1,
                t -> 3000 + 4600 * Math.min(t, 5 * tau) / (5 * tau), jitBusy(0, 5 * tau + 2, 1.5));
        List<FakeRun.Step> warnings = run.due(Decision.Action.WARN);
        assertTrue(warnings.isEmpty(), "warned at " + (warnings.isEmpty() ? 0 : warnings.get(0).seconds()) + " s:\n"
                + run.transcript());
    }

    /**
     * The bursts' pace kept up while the JIT compiles, for its first seconds or for good: a leak,
     * warned with a third of its time left (half, while the JVM warms up), and 2 s at least: a leak
     * that kills in 7 s while the JVM starts may be warned only once less than three dumps' margin
     * is left (measured: 60 MiB/s, 5.5 s before the kill), as a start at half its pace would be
     * warned too otherwise.
     */
    @ParameterizedTest(name = "{0} MiB/s in {1} MiB after {3} s quiet, every {2} s, JIT busy for {4} s")
    @CsvSource({"7, 256, 0.5, 5, 6", "7, 256, 0.5, 60, 3600", "20, 400, 0.5, 10, 5", "12, 400, 1, 30, 3600",
            "30, 512, 0.5, 60, 3600", "60, 512, 0.5, 2, 3600", "2, 512, 1, 1, 3600", "0.7, 256, 0.5, 1, 3600"})
    void theBurstsPaceKeptUpIsWarnedEarly(double mibPerSecond, long limitMib, double interval, double quiet,
                                          double busySeconds) {
        FakeRun run = run(limitMib, interval, quiet + 3600, after(quiet, t -> mibPerSecond * MIB * t), 1, null,
                jitBusy(quiet, busySeconds, 0.6));
        assertWarnedEarly(run, limitMib, quiet, String.format(java.util.Locale.ROOT,
                "native leak %.2f MiB/s in %d MiB after %.0f s quiet, JIT busy %.0f s", mibPerSecond, limitMib,
                quiet, busySeconds), 2);
    }
}
