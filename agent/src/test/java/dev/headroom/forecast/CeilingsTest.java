package dev.headroom.forecast;

import dev.headroom.act.Decision;
import dev.headroom.act.Level;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.headroom.forecast.FakeTick.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every part grows only to its ceiling: a heap expanding into its max is not a leak. */
class CeilingsTest {

    /**
     * Healthy GC churn: the collector expands the heap from 64 MiB to its max over 20 s and touches
     * it, while the live set stays at 100 MiB; 80 MiB of metaspace, threads and native beside it.
     */
    private static FakeRun churn(long heapMaxMib) {
        FakeRun run = new FakeRun();
        long max = heapMaxMib * MIB;
        for (int i = 0; i < 90; i++) {
            long committed = Math.min(max, (64 + 16L * i) * MIB);
            long eden = (long) ((i % 3) / 3.0 * Math.max(0, committed - 100 * MIB));
            run.add(FakeTick.at(i).heap(eden, 100 * MIB, committed, max).gcCount(1 + 2L * i)
                    .part("metaspace", 45 * MIB).part("threadStacks", 15 * MIB).part("nativeUntracked", 20 * MIB));
        }
        return run;
    }

    @Test
    void aHeapExpandingIntoItsMaxIsNoWarningWhenTheCeilingsFit() {
        // 400 MiB of max heap and 80 MiB beside it fit the 512 MiB limit.
        FakeRun run = churn(400);
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
        Forecast last = run.steps.get(run.steps.size() - 1).forecast();
        assertEquals(480 * MIB, last.ceilingsBytes());
        assertFalse(last.ceilingsExceedLimit());
    }

    @Test
    void aHeapWhoseMaxDoesNotFitBesideTheRestIsForecastAsAConfigurationRisk() {
        // 460 MiB of max heap and 80 MiB beside it: 540 MiB, more than the limit, leak or not.
        FakeRun run = churn(460);
        FakeRun.Step warned = run.due(Decision.Action.WARN).get(0);
        String said = String.join("; ", warned.decision().reasons());
        assertTrue(said.contains("configuration risk: max heap 460 MiB and the 80 MiB beside it do not fit the 512 MiB"
                + " limit"), said);
        assertTrue(warned.forecast().ceilingsExceedLimit() && warned.forecast().heapExpansion());
    }

    @Test
    void oldGenerationGrowthFromPromotionWithoutAnOldCollectionIsNoLeak() {
        // Young collections promote garbage into the old generation, which grows at 10 MiB/s until
        // a mixed collection; the old pool's use after GC stays what the last one left (unknown: none yet).
        FakeRun run = new FakeRun();
        for (int i = 0; i < 30; i++) {
            run.add(FakeTick.at(i).heap(20 * MIB, (40 + 10L * i) * MIB, 400 * MIB, 400 * MIB).gcCount(0)
                    .part("nativeUntracked", 60 * MIB));
        }
        Forecast last = run.steps.get(run.steps.size() - 1).forecast();
        assertEquals(null, last.trend(Forecaster.LIVE_HEAP), "no live level, no heap trend");
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    @Test
    void liveDataGrowingWhereTheCeilingsFitIsAnOutOfMemoryErrorNotAKill() {
        FakeRun run = new FakeRun();
        // Old collections every 5 s leave 1 MiB more each second: a minute of evidence at least.
        for (int i = 0; i < 150; i++) {
            long live = (100 + (i / 5 * 5)) * MIB;
            run.add(FakeTick.at(i).heap(10 * MIB, live, 300 * MIB, 300 * MIB).gcCount(1 + i)
                    .part("nativeUntracked", 60 * MIB));
        }
        FakeRun.Step last = run.steps.get(run.steps.size() - 1);
        assertFalse(last.forecast().hasEstimate(), "the heap is at its max: nothing else grows");
        assertEquals(Level.WARNING, last.decision().level());
        assertTrue(run.transcript().contains("an OutOfMemoryError is due"), run.transcript());
        assertTrue(run.due(Decision.Action.DUMP_HEAP).isEmpty());
    }

    @Test
    void aLiveSetThatSwingsWithTheLoadForSecondsIsNoOutOfMemoryWarning() {
        // Measured on Parallel: the live set rose 100 MiB in 4 s, fell, rose again; the old
        // collections' levels "forecast" max heap full in 13 s.
        FakeRun run = new FakeRun();
        for (int i = 0; i < 60; i++) {
            double phase = (i % 8) / 4.0;
            long live = (long) ((20 + 100 * (phase <= 1 ? phase : 2 - phase)) * MIB);
            run.add(FakeTick.at(i * 0.5).heap(10 * MIB, live, 228 * MIB, 228 * MIB).gcCount(1 + i)
                    .part("nativeUntracked", 60 * MIB));
        }
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    @Test
    void aNativeLeakIsNamedAsTheLeakNotAsAConfigurationRiskEvenWhenTheCeilingsNoLongerFit() {
        FakeRun run = new FakeRun();
        for (int i = 0; i < 20; i++) {
            run.add(FakeTick.at(i).heap(20 * MIB, 100 * MIB, 200 * MIB, 400 * MIB).gcCount(1 + i)
                    .part("nativeUntracked", (80 + 15L * i) * MIB));
        }
        FakeRun.Step warned = run.due(Decision.Action.WARN).get(0);
        String said = String.join("; ", warned.decision().reasons());
        assertTrue(said.contains("fastest: Native, not tracked by the JVM"), said);
        assertFalse(said.contains("configuration risk"), said);
        assertFalse(warned.forecast().heapExpansion());
    }

    /**
     * A heap the collector expands from 8 to 300 MiB at 55 MiB/s (then holds), with the native
     * memory beside it growing by {@code nativeShare} of the heap's growth while it expands, and by
     * {@code nativeAfter} MiB/s from then on; 500 ms samples, max heap 360 MiB, 20 MiB of metaspace
     * and stacks. Stops at the first sample at the limit.
     */
    private static FakeRun expandingHeap(double nativeShare, double nativeAfter, int samples) {
        FakeRun run = new FakeRun();
        double nativeMib = 10;
        double before = 8;
        for (int i = 0; i < samples; i++) {
            double t = i * 0.5;
            double committed = Math.min(300, 8 + 55 * t);
            nativeMib += nativeShare * (committed - before) + (committed >= 300 ? nativeAfter * 0.5 : 0);
            before = committed;
            long c = (long) (committed * MIB);
            FakeRun.Step step = run.add(FakeTick.at(t).heap((long) ((i % 3) / 3.0 * c * 0.6), c / 5, c, 360 * MIB)
                    .gcCount(1 + i).part("metaspace", 8 * MIB).part("threadStacks", 12 * MIB)
                    .part("nativeUntracked", (long) (nativeMib * MIB)));
            if (step.forecast().unreclaimableBytes() >= 512 * MIB) {
                break;
            }
        }
        return run;
    }

    @Test
    void whatGrowsBesideAnExpandingHeapAndStopsWithItIsNoWarning() {
        // Measured on Parallel, JDK 25: the rest rose by 0.29 of the heap's growth while it expanded
        // (the collector's structures, pages written ahead of the peak-use estimate), then held:
        // here 300 MiB of heap and 112 MiB beside it at the end, 360 + 112 MiB of ceilings.
        FakeRun run = expandingHeap(0.28, 0, 80);
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    @Test
    void nativeGrowthThatGoesOnAfterTheHeapStopsIsStillForecastBeforeTheLimit() {
        // The same expansion, then native memory at 20 MiB/s: a leak, at the limit about 5 s later.
        FakeRun run = expandingHeap(0.28, 20, 80);
        FakeRun.Step end = run.steps.get(run.steps.size() - 1);
        assertTrue(end.forecast().unreclaimableBytes() >= 512 * MIB, run.transcript());
        List<FakeRun.Step> warned = run.due(Decision.Action.WARN);
        assertFalse(warned.isEmpty(), run.transcript());
        assertTrue(warned.get(0).seconds() <= end.seconds() - 2, run.transcript());
    }

    @Test
    void theTimeToTheLimitStopsEachGrowthAtItsRoom() {
        // 100 MiB to go. The rest's own 2 MiB/s, the heap's 10 MiB/s for 20 MiB and 3 MiB/s with it
        // for 6 MiB: both of those end at 2 s, with 30 MiB grown; the other 70 MiB take 35 s.
        assertEquals(37, Forecaster.secondsToGap(100 * MIB, 2 * MIB, 10 * MIB, 20 * MIB, 3 * MIB, 6 * MIB), 1e-9);
        // Nothing of its own: the heap and what grows with it stop 36 MiB short.
        assertTrue(Double.isNaN(Forecaster.secondsToGap(100 * MIB, 0, 10 * MIB, 50 * MIB, 3 * MIB, 14 * MIB)));
        // What grows with the heap ends at 4 s (52 MiB grown); the heap alone does the other 48 MiB in 4.8 s.
        assertEquals(8.8, Forecaster.secondsToGap(100 * MIB, 0, 10 * MIB, 500 * MIB, 3 * MIB, 12 * MIB), 1e-9);
    }

    /**
     * Direct buffers rising from 20 to 140 MiB at 40 MiB/s (a batch loaded at start-up, touched on a
     * busy machine), then held, beside a 200 MiB heap and 60 MiB of the rest; 500 ms samples.
     * {@code capMib} is MaxDirectMemorySize, 0 for none known.
     */
    private static FakeRun directStep(long capMib) {
        FakeRun run = new FakeRun();
        if (capMib > 0) {
            run.history.setCeiling("directBuffers", capMib * MIB);
        }
        for (int i = 0; i < 40; i++) {
            double t = i * 0.5;
            double direct = t < 4 ? 20 : Math.min(140, 20 + 40 * (t - 4));
            run.add(FakeTick.at(t).heap(20 * MIB, 100 * MIB, 200 * MIB, 256 * MIB).gcCount(1 + i)
                    .part("metaspace", 30 * MIB).part("nativeUntracked", 30 * MIB)
                    .part("directBuffers", (long) (direct * MIB)));
        }
        return run;
    }

    @Test
    void aPartGrowingToTheCapTheJvmSetsItIsNoKill() {
        // MaxDirectMemorySize=160m: the buffers can add 20 MiB more at most, far below the limit.
        FakeRun capped = directStep(160);
        assertTrue(capped.due(Decision.Action.WARN).isEmpty(), capped.transcript());
        // The same growth without a cap known is forecast as it climbs: the test can fail.
        FakeRun uncapped = directStep(0);
        assertFalse(uncapped.due(Decision.Action.WARN).isEmpty(), uncapped.transcript());
    }

    @Test
    void aCapAboveTheLimitLeavesTheLeakForecast() {
        FakeRun run = directStep(2048);
        assertFalse(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    @Test
    void eachGrowthPieceStopsAtItsOwnTime() {
        // 100 MiB to go: 1 MiB/s of its own, 20 MiB/s for 2 s and 10 MiB/s for 4 s: 84 MiB by 4 s, the
        // other 16 MiB at 1 MiB/s.
        double[] rate = {1 * MIB, 20 * MIB, 10 * MIB};
        double[] stop = {Double.POSITIVE_INFINITY, 2, 4};
        assertEquals(20, Forecaster.secondsToGap(100 * MIB, rate, stop, 3), 1e-9);
        // Nothing of its own: they stop 20 MiB short.
        rate[0] = 0;
        assertTrue(Double.isNaN(Forecaster.secondsToGap(100 * MIB, rate, stop, 3)));
    }
}
