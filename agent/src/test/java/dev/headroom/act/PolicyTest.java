package dev.headroom.act;

import dev.headroom.forecast.FakeRun;
import dev.headroom.forecast.FakeTick;
import dev.headroom.forecast.Forecast;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Part;
import dev.headroom.reconcile.PartCatalogue;
import dev.headroom.sense.Snapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.headroom.forecast.FakeTick.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyTest {

    /** A tick whose working set (without page cache) is this share of a 512 MiB limit. */
    private static FakeTick atShare(double seconds, double share) {
        long ws = (long) (512 * MIB * share);
        return FakeTick.at(seconds).heap(20 * MIB, 100 * MIB, 200 * MIB, 400 * MIB).part("nativeUntracked", ws - 200 * MIB);
    }

    private static Forecast forecast(Snapshot s, double secondsToLimit, double confidence) {
        return new Forecast(s.epochMillis(), s.workingSetBytes(), s.limitBytes(), secondsToLimit, confidence,
                30 * MIB, -1, List.of());
    }

    private static Forecast calm(Snapshot s) {
        return Forecast.none(s.epochMillis(), s.workingSetBytes(), s.limitBytes());
    }

    private static int count(List<Decision> decisions, Decision.Action action) {
        int n = 0;
        for (Decision d : decisions) {
            if (d.due(action)) {
                n++;
            }
        }
        return n;
    }

    @Test
    void oscillatingAroundTheWarnShareGivesOneWarningAndRecoversOnlyAfterSustainedCalm() {
        FakeRun run = new FakeRun();
        int t = 0;
        for (; t < 60; t++) {
            run.add(atShare(t, t % 2 == 0 ? 0.84 : 0.86));
        }
        for (; t < 90; t++) {
            run.add(atShare(t, 0.82)); // below the warn share but inside the hysteresis band
        }
        int calmFrom = t;
        for (; t < 150; t++) {
            run.add(atShare(t, 0.70));
        }
        assertEquals(1, run.due(Decision.Action.WARN).size(), run.transcript());
        List<FakeRun.Step> recovered = new ArrayList<>();
        for (FakeRun.Step s : run.steps) {
            if (s.decision().recovered()) {
                recovered.add(s);
            }
        }
        assertEquals(1, recovered.size(), run.transcript());
        assertEquals(calmFrom + 30, recovered.get(0).seconds(), 1e-9, run.transcript());
        assertTrue(recovered.get(0).decision().changed());
        assertTrue(recovered.get(0).decision().reasons().get(0).startsWith("recovered"), run.transcript());
    }

    @Test
    void theMemoryEventsMaxCounterRisingRaisesTheLevelToWarning() {
        Policy policy = new Policy(PolicySettings.defaults());
        Snapshot first = atShare(0, 0.6).eventsMax(7).build().snapshot();
        assertEquals(Level.OK, policy.decide(calm(first), first).level(), "a counter's first reading is no news");
        Snapshot same = atShare(1, 0.6).eventsMax(7).build().snapshot();
        assertEquals(Level.OK, policy.decide(calm(same), same).level());
        Snapshot hit = atShare(2, 0.6).eventsMax(10).build().snapshot();
        Decision d = policy.decide(calm(hit), hit);
        assertEquals(Level.WARNING, d.level());
        assertTrue(d.due(Decision.Action.WARN));
        assertTrue(d.reasons().get(0).contains("3 time(s)") && d.reasons().get(0).contains("memory.events max"),
                d.reasons().toString());
    }

    @Test
    void theV1FailcntRisingRaisesTheLevelToWarning() {
        Policy policy = new Policy(PolicySettings.defaults());
        Snapshot first = atShare(0, 0.6).failcnt(100).build().snapshot();
        policy.decide(calm(first), first);
        Snapshot hit = atShare(1, 0.6).failcnt(140).build().snapshot();
        assertEquals(Level.WARNING, policy.decide(calm(hit), hit).level());
    }

    @Test
    void limitHitsWhileMostlyPageCacheAreNoDanger() {
        Policy policy = new Policy(PolicySettings.defaults());
        Snapshot first = atShare(0, 0.3).pageCache(300 * MIB).eventsMax(1).build().snapshot();
        policy.decide(calm(first), first);
        Snapshot hit = atShare(1, 0.3).pageCache(300 * MIB).eventsMax(50).build().snapshot();
        assertEquals(Level.OK, policy.decide(calm(hit), hit).level());
    }

    @Test
    void memoryPressureStallsRaiseTheLevelToWarning() {
        Policy policy = new Policy(PolicySettings.defaults());
        Snapshot s = atShare(0, 0.6).pressure(25, 2).build().snapshot();
        Decision d = policy.decide(calm(s), s);
        assertEquals(Level.WARNING, d.level());
        assertTrue(d.reasons().get(0).contains("PSI some 25%"), d.reasons().toString());
    }

    @Test
    void hostWidePressureDoesNotSpeakForThisCgroup() {
        Policy policy = new Policy(PolicySettings.defaults());
        Snapshot s = atShare(0, 0.6).hostPressure(25, 8).build().snapshot();
        assertEquals(Level.OK, policy.decide(calm(s), s).level());
    }

    @Test
    void anOomKillInTheCgroupIsCritical() {
        Policy policy = new Policy(PolicySettings.defaults());
        Snapshot first = atShare(0, 0.6).build().snapshot();
        policy.decide(calm(first), first);
        Snapshot killed = atShare(1, 0.6).oomKills(1).build().snapshot();
        Decision d = policy.decide(calm(killed), killed);
        assertEquals(Level.CRITICAL, d.level());
        assertTrue(d.reasons().get(0).contains("OOM-killed 1 process"), d.reasons().toString());
    }

    @Test
    void theDumpIsDueWhileTwiceItsExpectedTimeRemains() {
        // 400 MiB of heap in use at 200 MiB/s: a dump takes 2 s.
        Policy policy = new Policy(PolicySettings.defaults());
        List<Decision> decisions = new ArrayList<>();
        List<Double> left = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            double secondsToLimit = 11.7 - i;
            Snapshot s = FakeTick.at(i).limit(1024 * MIB).heap(0, 400 * MIB, 450 * MIB, 800 * MIB)
                    .part("directBuffers", 100 * MIB).build().snapshot();
            decisions.add(policy.decide(forecast(s, secondsToLimit, 0.9), s));
            left.add(secondsToLimit);
        }
        assertEquals(1, count(decisions, Decision.Action.DUMP_HEAP));
        for (int i = 0; i < decisions.size(); i++) {
            Decision d = decisions.get(i);
            assertEquals(2.0, d.expectedDumpSeconds(), 1e-9);
            if (d.due(Decision.Action.DUMP_HEAP)) {
                assertTrue(left.get(i) >= 4, "dump due with " + left.get(i) + " s left");
                assertTrue(left.get(i) < 7, "dump due with " + left.get(i) + " s left: not before 3 × 2 s + 1 s");
                assertEquals(Level.CRITICAL, d.level());
            }
        }
        assertEquals(0, count(decisions, Decision.Action.HISTOGRAM));
        assertEquals(2, count(decisions, Decision.Action.WARN), "one warning, one critical");
    }

    @Test
    void aStepLargerThanAnySeenStillLeavesTheDumpTwiceItsExpectedTime() {
        // 200 MiB of heap in use at 200 MiB/s: a dump takes 1 s. The forecast falls one second a
        // tick, then once by three (a step of the working set larger than any before it, as at
        // 30 MiB/s under 512 MiB, docs/performance.md). The dump must still start with 2 s left.
        double[] secondsToLimit = {7.5, 6.5, 5.5, 4.5, 3.5, 0.5};
        Policy policy = new Policy(PolicySettings.defaults());
        double leftAtDump = Double.NaN;
        for (int i = 0; i < secondsToLimit.length; i++) {
            Snapshot s = FakeTick.at(i).limit(1024 * MIB).heap(0, 200 * MIB, 250 * MIB, 800 * MIB)
                    .part("directBuffers", 100 * MIB).build().snapshot();
            Decision d = policy.decide(forecast(s, secondsToLimit[i], 0.9), s);
            assertEquals(1.0, d.expectedDumpSeconds(), 1e-9);
            if (d.due(Decision.Action.DUMP_HEAP)) {
                leftAtDump = secondsToLimit[i];
            }
        }
        assertTrue(leftAtDump >= 2.0, "dump due with " + leftAtDump + " s left for a 1 s dump");
    }

    @Test
    void memoryCommittedButNotYetTouchedCountsAsTheNextStep() {
        // The benchmark's miss, replayed (docs/performance.md, heap growth at 30 MiB/s under 512 MiB):
        // steps of at most 44 MiB, then G1's expanded heap (99 MiB committed, untouched) became
        // resident in one tick and the forecast fell from 5.9 s to 2.1 s. A dump takes 1.12 s here.
        double[] secondsToLimit = {9.0, 7.5, 5.9, 2.1};
        double without = leftAtDump(secondsToLimit, 0);
        assertTrue(without < 2 * 1.12, "the miss, as measured: the dump with " + without + " s left");
        double with = leftAtDump(secondsToLimit, 99 * MIB);
        assertTrue(with >= 5.9, "due at the latest the tick before the step, with " + with + " s left");
    }

    @Test
    void theCriticalLineSaysTheTimeLeftAfterTheStepAndThatItIsLessThanTheDumpNeeds() {
        // Forecast 5.9 s at 30 MiB/s, with 99 MiB committed and untouched: once that is resident,
        // 5.9 - 99/30 = 2.6 s are left, less than a 1.12 s dump with margin and one tick. The line
        // must say 2.6 s, not a "less than" figure that is smaller than the forecast it follows.
        Policy policy = new Policy(PolicySettings.defaults());
        Decision critical = null;
        double[] secondsToLimit = {9.0, 7.5, 5.9};
        for (int i = 0; i < secondsToLimit.length; i++) {
            long ws = (300 + 44 * i) * MIB;
            Snapshot s = FakeTick.at(i).limit(512 * MIB).heap(0, 224 * MIB, 300 * MIB, 410 * MIB).workingSet(ws)
                    .build().snapshot();
            Breakdown b = new Breakdown(s.epochMillis(), ws, s.limitBytes(),
                    List.of(new Part(PartCatalogue.COMMITTED_NOT_RESIDENT, "Committed but not resident", "jvm",
                            -99 * MIB, "RssAnon - JVM-tracked", "")));
            Decision d = policy.decide(forecast(s, secondsToLimit[i], 0.9), s, b);
            if (d.level() == Level.CRITICAL) {
                critical = d;
                break;
            }
        }
        assertTrue(critical != null, "no critical decision");
        String line = String.join("; ", critical.reasons());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("limit forecast in ([0-9.]+) s at 30 MiB/s; once the"
                + " ([0-9]+) MiB the JVM has committed but not touched yet becomes resident, ([0-9.]+) s are left, less"
                + " than the ([0-9.]+) s needed for a heap dump \\(about 1.1 s\\) and one tick, with margin").matcher(line);
        assertTrue(m.find(), line);
        double forecast = Double.parseDouble(m.group(1));
        double step = Double.parseDouble(m.group(2));
        double left = Double.parseDouble(m.group(3));
        double needed = Double.parseDouble(m.group(4));
        assertEquals(forecast - step / 30, left, 0.051, line);
        assertTrue(left < needed && left < forecast, line);
        double margin = 1.12 * PolicySettings.defaults().dumpMarginFactor() + PolicySettings.defaults().intervalSeconds();
        assertEquals(margin, needed, 0.051, line);
    }

    @Test
    void theReasonForTooLittleTimeNamesTheStepOrTheLimitReachedOrNoStep() {
        assertEquals("once the next step of up to 40 MiB lands (unreclaimable memory moves in such steps), 1.5 s are left,"
                        + " less than the 3.0 s needed for a heap dump (about 1.0 s) and one tick, with margin",
                Policy.tooLittleTimeReason(1.5, 3.0, 1.0, 40 * MIB, false));
        assertEquals("once the next step of up to 40 MiB lands (unreclaimable memory moves in such steps), the limit is"
                        + " reached: no time is left of the 3.0 s needed for a heap dump (about 1.0 s) and one tick, with margin",
                Policy.tooLittleTimeReason(-0.4, 3.0, 1.0, 40 * MIB, false));
        assertEquals("that is less than the 3.0 s needed for a heap dump (about 1.0 s) and one tick, with margin",
                Policy.tooLittleTimeReason(2.0, 3.0, 1.0, 0, false));
    }

    /** Replays the forecasts with a breakdown that has this much committed-but-untouched memory; when the dump was due. */
    private static double leftAtDump(double[] secondsToLimit, long untouched) {
        Policy policy = new Policy(PolicySettings.defaults());
        double leftAtDump = Double.NaN;
        for (int i = 0; i < secondsToLimit.length; i++) {
            long ws = (300 + 44 * i) * MIB;
            Snapshot s = FakeTick.at(i).limit(512 * MIB).heap(0, 224 * MIB, 300 * MIB, 410 * MIB).workingSet(ws)
                    .build().snapshot();
            Breakdown b = new Breakdown(s.epochMillis(), ws, s.limitBytes(), untouched == 0 ? List.of()
                    : List.of(new Part(PartCatalogue.COMMITTED_NOT_RESIDENT, "Committed but not resident", "jvm", -untouched,
                            "RssAnon - JVM-tracked", "")));
            Decision d = policy.decide(forecast(s, secondsToLimit[i], 0.9), s, b);
            assertEquals(1.12, d.expectedDumpSeconds(), 1e-9);
            if (d.due(Decision.Action.DUMP_HEAP)) {
                leftAtDump = secondsToLimit[i];
            }
        }
        return leftAtDump;
    }

    @Test
    void withoutTimeForADumpAHistogramIsTakenInstead() {
        Policy policy = new Policy(PolicySettings.defaults());
        // 2000 MiB of heap: a dump takes 10 s; the limit is suddenly forecast 6 s away.
        Snapshot s0 = FakeTick.at(0).limit(4096 * MIB).heap(0, 2000 * MIB, 2100 * MIB, 3000 * MIB).build().snapshot();
        policy.decide(calm(s0), s0);
        Snapshot s1 = FakeTick.at(1).limit(4096 * MIB).heap(0, 2000 * MIB, 2100 * MIB, 3000 * MIB).build().snapshot();
        Decision d = policy.decide(forecast(s1, 6, 0.9), s1);
        assertEquals(Level.CRITICAL, d.level());
        assertTrue(d.due(Decision.Action.HISTOGRAM));
        assertFalse(d.due(Decision.Action.DUMP_HEAP));
        assertTrue(String.join("; ", d.reasons()).contains("a dump would take about 10 s"), d.reasons().toString());
    }

    @Test
    void maxDumpsIsRespectedUntilTheDumpIntervalPassed() {
        Policy policy = new Policy(PolicySettings.defaults().withDumps(200L << 20, 1, 3600));
        List<Decision> decisions = new ArrayList<>();
        double[] episodes = {0, 200, 4000};
        for (double start : episodes) {
            for (int i = 0; i < 100; i++) {
                Snapshot s = atShare(start + i, i < 5 ? 0.97 : 0.5).build().snapshot();
                decisions.add(policy.decide(calm(s), s));
            }
        }
        List<String> evidence = new ArrayList<>();
        for (Decision d : decisions) {
            if (d.due(Decision.Action.DUMP_HEAP)) {
                evidence.add("dump@" + d.epochMillis());
            } else if (d.due(Decision.Action.HISTOGRAM)) {
                evidence.add("histogram@" + d.epochMillis());
            }
        }
        assertEquals(List.of("dump@" + FakeTick.EPOCH, "histogram@" + (FakeTick.EPOCH + 200_000),
                "dump@" + (FakeTick.EPOCH + 4_000_000)), evidence);
        assertEquals(2, policy.dumpsTaken());
        assertEquals(3, count(decisions, Decision.Action.WARN), "one per episode");
    }

    @Test
    void aForecastBelowTheMinimumConfidenceIsNoWarning() {
        Policy policy = new Policy(PolicySettings.defaults());
        Snapshot s = atShare(0, 0.6).build().snapshot();
        assertEquals(Level.OK, policy.decide(forecast(s, 20, 0.4), s).level());
        Snapshot s2 = atShare(1, 0.6).build().snapshot();
        Decision d = policy.decide(forecast(s2, 20, 0.6), s2);
        assertEquals(Level.WARNING, d.level());
        assertEquals("limit forecast in 20 s at 30 MiB/s", d.reasons().get(0));
    }

    @Test
    void theShareReasonNamesTheUnreclaimableMemoryAndTheNumbers() {
        Policy policy = new Policy(PolicySettings.defaults());
        Snapshot s = atShare(0, 0.9).build().snapshot();
        Decision d = policy.decide(calm(s), s);
        assertEquals(Level.WARNING, d.level());
        assertEquals("unreclaimable memory 461 MiB is 90% of the 512 MiB limit", d.reasons().get(0));
        assertTrue(d.due(Decision.Action.WARN) && d.due(Decision.Action.NMT_SNAPSHOT));
    }
}
