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
        FakeRun.Step last = run.steps.get(run.steps.size() - 1);
        double kill = last.seconds();
        assertTrue(last.tick().snapshot().workingSetBytes() >= limitMib * MIB, "the leak reached the limit");
        List<FakeRun.Step> warnings = run.due(Decision.Action.WARN);
        assertFalse(warnings.isEmpty(), run.transcript());
        double lead = kill - warnings.get(0).seconds();
        System.out.printf(java.util.Locale.ROOT, "native leak %.2f MiB/s in %d MiB: kill at %.1f s, warned %.1f s"
                + " before (%.0f%%)%n", mibPerSecond, limitMib, kill, lead, 100 * lead / kill);
        assertTrue(lead >= Math.max(5, kill / 3), "warned " + lead + " s before the kill at " + kill + " s\n"
                + run.transcript());
    }
}
