package dev.headroom.act;

import dev.headroom.forecast.FakeRun;
import dev.headroom.forecast.FakeTick;
import dev.headroom.forecast.Forecast;
import dev.headroom.forecast.ForecastSettings;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.cgroup.CgroupMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import static dev.headroom.forecast.FakeTick.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cadence against the agent's whole tick (history, forecast, policy) on fake services: the same
 * run fed to an agent that reads every tick in full and to one that follows the cadence. What the
 * cadence may cost is CPU, never a warning: a step to the critical level is seen at the same tick,
 * a leak is warned no later than a move's worth of its growth, and healthy runs stay as quiet.
 */
class SamplingCadenceTest {

    private static final double WARN_SHARE = PolicySettings.defaults().warnShare();

    /** The agent's tick as {@code AgentRuntime.tick}: a quick look first, the full tick when due. */
    static final class Agent {
        final SamplingCadence cadence = new SamplingCadence();
        final FakeRun run;
        final boolean quickTicks;
        int quick;
        int full;
        FakeRun.Step lastFull;

        Agent(boolean quickTicks, double interval) {
            this.quickTicks = quickTicks;
            this.run = new FakeRun(ForecastSettings.defaults(), PolicySettings.defaults().withIntervalSeconds(interval));
        }

        /** The level after this tick; a quick tick leaves the last full tick's. */
        Level offer(FakeTick.Tick tick) {
            Snapshot s = tick.snapshot();
            if (quickTicks && cadence.calm() && !cadence.fullDue(s.epochMillis(), s.cgroup().usageBytes())) {
                quick++;
                // As AgentRuntime: the last full sample carried forward into the history while flat.
                if (cadence.flatSinceFull(s.cgroup().usageBytes())) {
                    run.history.add(lastFull.tick().snapshot().at(s.epochMillis()), lastFull.tick().breakdown());
                }
                return lastFull.decision().level();
            }
            full++;
            lastFull = run.add(tick);
            cadence.fullTaken(s, lastFull.forecast(), lastFull.decision(), WARN_SHARE);
            return lastFull.decision().level();
        }

        /** The first full tick at which this action was due, in seconds; NaN when never. */
        double first(Decision.Action action) {
            List<FakeRun.Step> due = run.due(action);
            return due.isEmpty() ? Double.NaN : due.get(0).seconds();
        }
    }

    /**
     * A service like WarmUpTest's: a heap that fits its max (a quarter of the limit), metaspace and
     * stacks, untracked native memory following {@code nativeBytes(t)} with a wobble, and page cache
     * on the inactive list following {@code inactiveBytes(t)} (usage, not the working set).
     */
    private static FakeTick.Tick service(double t, long limit, long nativeBytes, long inactiveBytes, long noiseMib) {
        long heapMax = limit / 4;
        return FakeTick.at(t).limit(limit)
                .heap((long) ((t * 7 % 1.0) * 20 * MIB), 20 * MIB, heapMax / 2, heapMax)
                .gcCount(2 + Math.round(t))
                .part("metaspace", 30 * MIB)
                .part("threadStacks", 10 * MIB)
                .part("nativeUntracked", nativeBytes + 10 * MIB + wobble(t, noiseMib * MIB))
                .inactiveFile(inactiveBytes)
                .build();
    }

    static long wobble(double t, long amplitude) {
        long h = Double.doubleToLongBits(t * 1.37 + 0.11) * 0x9E3779B97F4A7C15L;
        return amplitude == 0 ? 0 : (h >>> 40) % (2 * amplitude) - amplitude;
    }

    /** Both agents over the same run; stops at the limit (the kill). */
    private static Agent[] both(long limitMib, double interval, double seconds, DoubleUnaryOperator nativeBytes,
                                DoubleUnaryOperator inactiveBytes, long noiseMib) {
        Agent full = new Agent(false, interval);
        Agent cadenced = new Agent(true, interval);
        long limit = limitMib * MIB;
        for (double t = 0; t < seconds; t += interval) {
            FakeTick.Tick tick = service(t, limit, (long) nativeBytes.applyAsDouble(t),
                    (long) inactiveBytes.applyAsDouble(t), noiseMib);
            full.offer(tick);
            cadenced.offer(tick);
            if (tick.snapshot().workingSetBytes() >= limit) {
                break;
            }
        }
        return new Agent[] {full, cadenced};
    }

    @Test
    void aSteadyServiceFarFromTheLimitIsReadInFullLessAndLessOftenDownToOnceAMinute() {
        Agent[] a = both(512, 1, 600, t -> 0, t -> 100 * MIB, 0);
        Agent cadenced = a[1];
        assertEquals(600, cadenced.quick + cadenced.full);
        // The first tick, then gaps of 10, 20 and 40 s, then one a minute: 0, 10, 30, 70, 130 ... 550.
        List<Double> gaps = new ArrayList<>();
        double lastFull = 0;
        for (FakeRun.Step s : cadenced.run.steps) {
            if (s.seconds() > 0) {
                gaps.add(s.seconds() - lastFull);
            }
            lastFull = s.seconds();
        }
        assertEquals(List.of(10.0, 20.0, 40.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0), gaps);
    }

    @Test
    void theGapBetweenFullTicksDoublesWhileUsageStaysAndAMoveBringsItBackToTenSeconds() {
        SamplingCadence c = new SamplingCadence();
        long limit = 512 * MIB;
        long move = (long) (SamplingCadence.MOVE_SHARE * limit);
        long t = 0;
        long[] expected = {10_000, 20_000, 40_000, 60_000, 60_000};
        for (long gap : expected) {
            FakeTick.Tick tick = service(t / 1000.0, limit, 0, 0, 0);
            c.fullTaken(tick.snapshot(), calm(tick.snapshot()), ok(tick.snapshot().epochMillis()), WARN_SHARE);
            assertEquals(gap, c.fullEveryMillis());
            long usage = tick.snapshot().cgroup().usageBytes();
            assertFalse(c.fullDue(tick.snapshot().epochMillis() + gap - 1, usage));
            assertTrue(c.fullDue(tick.snapshot().epochMillis() + gap, usage));
            t += gap;
        }
        // A move calls a full tick at once, however long the gap had grown; that tick is not calm
        // enough to stretch the next gap.
        FakeTick.Tick before = service(t / 1000.0, limit, 0, 0, 0);
        c.fullTaken(before.snapshot(), calm(before.snapshot()), ok(before.snapshot().epochMillis()), WARN_SHARE);
        assertEquals(SamplingCadence.CALM_FULL_EVERY_MILLIS, c.fullEveryMillis());
        assertTrue(c.fullDue(before.snapshot().epochMillis() + 1000, before.snapshot().cgroup().usageBytes() + move));
        FakeTick.Tick moved = service(t / 1000.0 + 1, limit, move, 0, 0);
        c.fullTaken(moved.snapshot(), calm(moved.snapshot()), ok(moved.snapshot().epochMillis()), WARN_SHARE);
        assertEquals(SamplingCadence.FULL_EVERY_MILLIS, c.fullEveryMillis());
        // A full tick that is not calm (anything forecast, above OK, a failed tick) too.
        for (int i = 0; i < 4; i++) {
            c.fullTaken(moved.snapshot(), calm(moved.snapshot()), ok(moved.snapshot().epochMillis()), WARN_SHARE);
        }
        assertEquals(SamplingCadence.CALM_FULL_EVERY_MILLIS, c.fullEveryMillis());
        c.fullTaken(null, null, null, 0);
        assertEquals(SamplingCadence.FULL_EVERY_MILLIS, c.fullEveryMillis());
        assertFalse(c.calm());
    }

    @Test
    void aWobbleBelowAMoveStaysQuickAndAMoveOfHalfAPerCentIsReadInFull() {
        SamplingCadence c = new SamplingCadence();
        FakeTick.Tick t0 = service(0, 512 * MIB, 0, 0, 0);
        c.fullTaken(t0.snapshot(), calm(t0.snapshot()), ok(0), WARN_SHARE);
        long usage = t0.snapshot().cgroup().usageBytes();
        long move = (long) (SamplingCadence.MOVE_SHARE * 512 * MIB);
        assertTrue(c.calm());
        assertFalse(c.fullDue(FakeTick.EPOCH + 1000, usage + move - 1));
        assertFalse(c.fullDue(FakeTick.EPOCH + 1000, usage - move + 1));
        assertTrue(c.fullDue(FakeTick.EPOCH + 1000, usage + move));
        assertTrue(c.fullDue(FakeTick.EPOCH + 1000, usage - move), "a drop (a process beside it killed) too");
        assertTrue(c.fullDue(FakeTick.EPOCH + 1000, -1), "usage unknown");
        assertTrue(c.fullDue(FakeTick.EPOCH - 1, usage), "the clock went back");
        assertTrue(c.fullDue(FakeTick.EPOCH + SamplingCadence.FULL_EVERY_MILLIS, usage));
    }

    @Test
    void nothingIsQuickWhileAnythingIsForecastAboveOkOrWithoutACgroupLimit() {
        FakeTick.Tick t0 = service(0, 512 * MIB, 0, 0, 0);
        Snapshot s = t0.snapshot();
        SamplingCadence c = new SamplingCadence();
        c.fullTaken(s, new Forecast(s.epochMillis(), s.workingSetBytes(), s.limitBytes(), 3000, 0.3, MIB, -1,
                List.of()), ok(0), WARN_SHARE);
        assertFalse(c.calm(), "a forecast of 0.3 confidence");
        c.fullTaken(s, calm(s), new Decision(s.epochMillis(), Level.WARNING, Level.WARNING, List.of(), 1,
                java.util.Set.of()), WARN_SHARE);
        assertFalse(c.calm(), "a warning standing");
        c.fullTaken(s, calm(s), new Decision(s.epochMillis(), Level.OK, Level.WARNING, List.of(), 1,
                java.util.Set.of()), WARN_SHARE);
        assertFalse(c.calm(), "just recovered");
        Snapshot unlimited = FakeTick.at(0).unlimited(64L << 30).part("heap", 100 * MIB).build().snapshot();
        c.fullTaken(unlimited, calm(unlimited), ok(0), WARN_SHARE);
        assertFalse(c.calm(), "no cgroup limit: the process's own memory, which usage does not bound");
        c.fullTaken(s, calm(s), ok(0), WARN_SHARE);
        assertTrue(c.calm());
        c.fullTaken(null, null, null, 0);
        assertFalse(c.calm(), "a failed tick");
    }

    @Test
    void theCeilingIsBelowTheWarnShareAndBelowMemoryHigh() {
        FakeTick.Tick t0 = service(0, 1024 * MIB, 0, 0, 0);
        Snapshot s = t0.snapshot();
        SamplingCadence c = new SamplingCadence();
        c.fullTaken(s, calm(s), ok(0), WARN_SHARE);
        assertTrue(c.ceilingBytes() < WARN_SHARE * 1024 * MIB);
        CgroupMemory g = s.cgroup();
        CgroupMemory high = new CgroupMemory(g.version(), g.cgroupPath(), g.limitBytes(), g.limitSource(), 300 * MIB,
                g.usageBytes(), g.swapBytes(), g.stat(), g.events(), g.pressure(), g.processCount());
        Snapshot underHigh = new Snapshot(s.epochMillis(), high, s.limitBytes(), s.limitSource(), s.workingSetBytes(),
                s.hostMemoryBytes(), s.process(), s.jvm());
        c.fullTaken(underHigh, calm(underHigh), ok(0), WARN_SHARE);
        assertTrue(c.calm());
        assertTrue(c.ceilingBytes() < 300 * MIB, "ceiling " + c.ceilingBytes());
        assertTrue(c.fullDue(s.epochMillis() + 1000, 300 * MIB - 1), "near memory.high: every tick full");
    }

    /**
     * The proof of the detection latency: from any calm state (baselines from 5 to 80 % of the limit,
     * page cache beside them up to the limit, after 15 to 200 s of quick ticks), a step of the
     * unreclaimable memory to the critical share is critical at the very tick it lands, as with every
     * tick read in full; a step to the warning share likewise warns at once.
     */
    @Test
    void aStepToTheCriticalOrWarningLevelIsSeenAtTheTickItLands() {
        Random random = new Random(17);
        int quickBeforeSteps = 0;
        int warnedRuns = 0;
        int criticalRuns = 0;
        for (int run = 0; run < 300; run++) {
            long limitMib = 256L << random.nextInt(4);
            long limit = limitMib * MIB;
            double interval = random.nextBoolean() ? 1 : 0.5;
            double base = 0.05 + 0.75 * random.nextDouble();
            // The base share of the unreclaimable memory, the rest of the way filled with inactive page cache or not.
            long baseNative = Math.max(0, (long) (base * limit) - limit / 8 - 50 * MIB);
            long stepAt = 15 + random.nextInt(185);
            boolean critical = random.nextBoolean();
            double target = critical ? 0.96 + 0.035 * random.nextDouble() : 0.86 + 0.08 * random.nextDouble();
            long stepNative = (long) (target * limit) - limit / 8 - 50 * MIB;
            double cacheShare = random.nextDouble();
            Agent full = new Agent(false, interval);
            Agent cadenced = new Agent(true, interval);
            double stepSeconds = -1;
            for (double t = 0; t <= stepAt + 2 * interval; t += interval) {
                long nat = t < stepAt ? baseNative : stepNative;
                long ws = nat + limit / 8 + 50 * MIB;
                long cache = Math.max(0, (long) (cacheShare * (limit - ws)) - MIB);
                FakeTick.Tick tick = service(t, limit, nat, cache, 0);
                if (t >= stepAt && stepSeconds < 0) {
                    stepSeconds = t;
                    quickBeforeSteps += cadenced.quick;
                }
                full.offer(tick);
                cadenced.offer(tick);
            }
            Decision.Action action = Decision.Action.WARN;
            String what = String.format(Locale.ROOT, "run %d: %d MiB, base %.2f, step to %.3f at %.1f s, cache %.2f",
                    run, limitMib, base, target, stepSeconds, cacheShare);
            double warned = full.first(action);
            // Where max heap and the rest still fit the limit, a share above warnShare is the heap's
            // own room (Policy): then neither warns.
            assertTrue(Double.isNaN(warned) || warned == stepSeconds, what + " (every tick full)\n" + full.run.transcript());
            assertEquals(warned, cadenced.first(action), what + "\n" + cadenced.run.transcript());
            if (!Double.isNaN(warned)) {
                warnedRuns++;
                criticalRuns += full.lastFull.decision().level() == Level.CRITICAL ? 1 : 0;
            }
            assertEquals(full.run.steps.get(full.run.steps.size() - 1).decision().level(),
                    cadenced.lastFull.decision().level(), what);
        }
        assertTrue(quickBeforeSteps > 300 * 10, "the runs were mostly quick before their steps: " + quickBeforeSteps);
        assertTrue(warnedRuns >= 200 && criticalRuns >= 100, warnedRuns + " runs warned, " + criticalRuns + " critical");
    }

    /**
     * Leaks that begin after a calm stretch (0.05 to 30 MiB/s): the cadence reads in full once usage
     * moved by half a per cent of the limit, so it warns no later than the agent reading every tick
     * by about the time the leak takes to move that far, and at most a few ticks more (and 2 % of a
     * long lead).
     */
    @ParameterizedTest(name = "{0} MiB/s in {1} MiB after {3} s quiet, every {2} s, cache {4} MiB")
    @CsvSource({"30, 512, 1, 300, 0", "12, 512, 1, 300, 100", "5, 512, 1, 300, 0", "2, 512, 1, 600, 200",
            "0.7, 256, 0.5, 120, 0", "0.3, 1024, 1, 300, 300", "0.1, 512, 1, 200, 0", "0.05, 256, 1, 100, 50",
            "1, 2048, 1, 300, 0"})
    void aLeakAfterACalmStretchIsWarnedAsEarlyAsWithEveryTickFull(double mibPerSecond, long limitMib, double interval,
                                                                   double quiet, long cacheMib) {
        Agent[] a = both(limitMib, interval, quiet + 4 * 3600,
                t -> t < quiet ? 0 : mibPerSecond * MIB * (t - quiet), t -> cacheMib * MIB, 1);
        Agent full = a[0];
        Agent cadenced = a[1];
        double kill = full.run.steps.get(full.run.steps.size() - 1).seconds();
        assertTrue(full.run.steps.get(full.run.steps.size() - 1).tick().snapshot().workingSetBytes() >= limitMib * MIB,
                "the leak reached the limit");
        double warnedFull = full.first(Decision.Action.WARN);
        double warnedCadenced = cadenced.first(Decision.Action.WARN);
        assertFalse(Double.isNaN(warnedFull), full.run.transcript());
        assertFalse(Double.isNaN(warnedCadenced), cadenced.run.transcript());
        double move = Math.max(SamplingCadence.MIN_MOVE_BYTES, SamplingCadence.MOVE_SHARE * limitMib * MIB);
        // Once a still service is read in full only once a minute, the history before the leak is
        // the same sample carried for up to a minute, not a fresh one every 10 s: where the lead
        // is long (the 1 MiB/s leak in 2 GiB: 1,096 s against 1,112 s), the forecaster's confidence
        // can take a little longer to build. 2 % of the lead on top.
        double allowed = move / (mibPerSecond * MIB) + 3 * interval + 0.02 * (kill - full.first(Decision.Action.WARN));
        System.out.printf(Locale.ROOT, "%.2f MiB/s in %d MiB: kill at %.0f s, warned %.1f s before (every tick full: %.1f s),"
                + " %d of %d ticks full%n", mibPerSecond, limitMib, kill, kill - warnedCadenced, kill - warnedFull,
                cadenced.full, cadenced.full + cadenced.quick);
        assertTrue(warnedCadenced <= warnedFull + allowed, "warned at " + warnedCadenced + " s, every tick full at "
                + warnedFull + " s\n" + cadenced.run.transcript());
        double critFull = full.first(Decision.Action.DUMP_HEAP);
        double critCadenced = cadenced.first(Decision.Action.DUMP_HEAP);
        assertTrue(Double.isNaN(critFull) || critCadenced <= critFull + allowed,
                "dump due at " + critCadenced + " s, every tick full at " + critFull + " s");
    }

    /**
     * Healthy services stay quiet under the cadence: growth that levels off below the limit after a
     * calm stretch, page cache filling the rest of the limit, a spike that recovers.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"levelling off 150 MiB over 30 s", "levelling off 60 MiB over 20 s", "page cache filling",
            "spike of 200 MiB for 20 s", "slow drift of 20 MiB over an hour",
            "ramp of 210 MiB at 21 MiB/s after 10 s calm, then freed"})
    void healthyServicesStayQuiet(String shape) {
        DoubleUnaryOperator nat = switch (shape) {
            case "levelling off 150 MiB over 30 s" -> t -> t < 300 ? 0 : 150 * MIB * (1 - Math.exp(-(t - 300) / 30));
            case "levelling off 60 MiB over 20 s" -> t -> t < 120 ? 0 : 60 * MIB * (1 - Math.exp(-(t - 120) / 20));
            case "spike of 200 MiB for 20 s" -> t -> t >= 400 && t < 420 ? 200 * MIB : 0;
            case "slow drift of 20 MiB over an hour" -> t -> 20 * MIB * Math.min(1, t / 3600);
            // The shape of OomKillIT's "spike that recovers" (direct buffers at about 20 MiB/s, held,
            // then freed), which warned there in a warming JVM when the history held only the full
            // ticks of the calm before it; here, without a JVM's warm-up, it is quiet either way.
            case "ramp of 210 MiB at 21 MiB/s after 10 s calm, then freed" -> t -> t < 10 ? 0
                    : t < 20 ? 21 * MIB * (t - 10) : t < 25 ? 210 * MIB : 0;
            default -> t -> 0;
        };
        DoubleUnaryOperator cache = shape.equals("page cache filling")
                ? t -> Math.min(512 * MIB - 200 * MIB, 2 * MIB * t) : t -> 50 * MIB;
        boolean ramp = shape.startsWith("ramp");
        Agent[] a = both(512, ramp ? 0.5 : 1, ramp ? 300 : 4000, nat, cache, 1);
        for (Agent agent : a) {
            assertTrue(agent.run.due(Decision.Action.WARN).isEmpty(), shape + (agent.quickTicks ? "" : " (every tick full)")
                    + "\n" + agent.run.transcript());
        }
    }

    private static Forecast calm(Snapshot s) {
        return Forecast.none(s.epochMillis(), s.workingSetBytes(), s.limitBytes());
    }

    private static Decision ok(long millis) {
        return new Decision(millis, Level.OK, Level.OK, List.of(), 1, java.util.Set.of());
    }
}
