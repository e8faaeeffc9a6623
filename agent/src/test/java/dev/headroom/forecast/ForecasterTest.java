package dev.headroom.forecast;

import dev.headroom.act.Decision;
import dev.headroom.act.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.headroom.forecast.FakeTick.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ForecasterTest {

    @Test
    void steadyHeapGrowthWarnsWithinFourSamplesAndEstimatesTheKill() {
        HeapLeak leak = new HeapLeak(30, 512);
        double kill = leak.killSeconds();
        FakeRun run = new FakeRun();
        for (int i = 0; i < 9 && i < kill; i++) {
            FakeRun.Step step = run.add(leak.tick(i, 1 + 5L * i));
            if (i >= 3) {
                Forecast f = step.forecast();
                double truth = kill - i;
                assertTrue(f.hasEstimate(), run.transcript());
                assertEquals(truth, f.secondsToLimit(), truth * 0.3, "at " + i + " s\n" + run.transcript());
                assertTrue(f.confidence() >= 0.5, run.transcript());
            }
        }
        FakeRun.Step warned = run.due(Decision.Action.WARN).get(0);
        assertTrue(warned.seconds() <= 3, run.transcript());
        assertTrue(kill - warned.seconds() >= 5, run.transcript());
    }

    @Test
    void gcSawtoothAtHighOccupancyIsNeverForecast() {
        FakeRun run = new FakeRun();
        long committed = 300 * MIB;
        for (int i = 0; i < 180; i++) {
            // Heap use saws between 60% and 95% of a fixed committed heap; the old gen (the live data)
            // stays at 150 MiB; eden is refilled and collected every few seconds.
            double phase = (i % 7) / 6.0;
            long heapUsed = (long) (committed * (0.60 + 0.35 * phase));
            long old = 150 * MIB;
            run.add(FakeTick.at(i).heap(heapUsed - old, old, committed, 400 * MIB).gcCount(1 + i / 7)
                    .part("directBuffers", 60 * MIB)
                    .part("nativeUntracked", 40 * MIB + (i * 7919 % 5) * MIB));
        }
        for (FakeRun.Step s : run.steps) {
            assertFalse(s.forecast().hasEstimate() && s.forecast().confidence() >= 0.5
                    && s.forecast().secondsToLimit() < 300, run.transcript());
        }
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    @Test
    void pageCacheThatFillsTowardsTheLimitAndIsReclaimedIsNotForecast() {
        FakeRun run = new FakeRun();
        long pageCache = 0;
        for (int i = 0; i < 120; i++) {
            // A file copy: active page cache grows 25 MiB/s to 95% of the limit, then is reclaimed.
            pageCache = pageCache + 25 * MIB > 290 * MIB ? 20 * MIB : pageCache + 25 * MIB;
            run.add(FakeTick.at(i).heap(50 * MIB, 80 * MIB, 160 * MIB, 400 * MIB)
                    .part("directBuffers", 30 * MIB).part("nativeUntracked", 10 * MIB).pageCache(pageCache));
        }
        for (FakeRun.Step s : run.steps) {
            assertFalse(s.forecast().hasEstimate(), run.transcript());
            assertNull(s.forecast().trend("activePageCache"), run.transcript());
        }
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    @Test
    void theJvmsOwnStartUpIsNoWarning() {
        // Measured under a 256 MiB limit: the JVM's native memory and kernel memory grew 20 MiB in
        // the first seconds (JIT, GC structures, class loading), then stayed.
        long[] nativeMib = {4, 11, 17, 17, 17, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16};
        long[] kernelMib = {1, 3, 6, 2, 1, 4, 1, 1, 6, 1, 1, 4, 1, 1, 6};
        FakeRun run = new FakeRun();
        for (int i = 0; i < nativeMib.length; i++) {
            run.add(FakeTick.at(i).limit(256 * MIB).heap(2 * MIB, 1 * MIB, 8 * MIB, 64 * MIB)
                    .part("metaspace", 6 * MIB).part("codeCache", 7 * MIB).part("threadStacks", 7 * MIB)
                    .part("nativeUntracked", nativeMib[i] * MIB).part("kernel", kernelMib[i] * MIB));
        }
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    @Test
    void kernelMemorySwingingWithPageCacheChurnIsNoWarning() {
        // Measured (KiB, one sample a second) while a 768 MiB file was written and read under a
        // 256 MiB limit: the page cache's own bookkeeping swings kernel memory up and down.
        long[] kernelKib = {748, 6460, 780, 2768, 780, 780, 3244, 3244, 780, 4984, 6520, 6520, 6520, 6508, 6520,
                6520, 780, 780, 6516, 6516, 780, 780, 5512, 5512, 6508, 776, 1928, 780, 6460, 780};
        long[] nativeKib = {2876, 16184, 16248, 16284, 13512, 13512, 13580, 13580, 13624, 13648, 13656, 13680, 13700,
                13672, 13692, 13740, 13740, 13756, 13775, 13819, 13819, 13847, 13858, 13874, 13914, 13914, 14385,
                14393, 14393, 14400};
        FakeRun run = new FakeRun();
        for (int i = 0; i < kernelKib.length; i++) {
            run.add(FakeTick.at(i).limit(256 * MIB).heap(2 * MIB, 1 * MIB, 8 * MIB, 64 * MIB)
                    .part("metaspace", 7 * MIB).part("codeCache", 7 * MIB).part("threadStacks", 7 * MIB)
                    .part("nativeUntracked", nativeKib[i] * 1024).part("kernel", kernelKib[i] * 1024)
                    .pageCache((i % 7) * 10 * MIB));
        }
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5, 12, 40})
    void aOneSampleSpikeThatRecoversIsNoWarning(int spikeAt) {
        FakeRun run = new FakeRun();
        for (int i = 0; i < 60; i++) {
            long direct = i == spikeAt ? 180 * MIB : 40 * MIB;
            run.add(FakeTick.at(i).heap(40 * MIB, 100 * MIB, 200 * MIB, 400 * MIB)
                    .part("directBuffers", direct)
                    .part("nativeUntracked", 20 * MIB + (i * 31 % 3) * MIB / 2));
        }
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    /**
     * Measured in the spike sample under load: 200 MiB touched across two 500 ms samples (100 MiB
     * seen at one, all of it at the next), held, then given back; native memory, with no cap to stop it.
     */
    @ParameterizedTest
    @ValueSource(doubles = {2, 5, 10, 20})
    void aBlockTakenAcrossTwoSamplesAndHeldIsNoWarning(double holdSeconds) {
        FakeRun run = new FakeRun();
        for (int i = 0; i < 120; i++) {
            double t = i * 0.5;
            double extra = t < 20 ? 0 : t < 20.5 ? 100 : t < 20.5 + holdSeconds ? 200 : 0;
            run.add(FakeTick.at(t).heap(5 * MIB, 10 * MIB, 16 * MIB, 400 * MIB).gcCount(1 + i / 10)
                    .part("metaspace", 12 * MIB).part("threadStacks", 11 * MIB)
                    .part("nativeUntracked", (long) ((12 + extra) * MIB) + (i * 31 % 3) * MIB / 4));
        }
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    @Test
    void aFastLeakThatStartsSuddenlyIsWarnedAtItsThirdSample() {
        // The same start as the block above, but the growth goes on at 86 MiB/s: the next sample
        // spreads the rise, and the limit is still seconds away.
        FakeRun run = new FakeRun();
        double start = 20;
        double kill = Double.NaN;
        for (int i = 0; i < 120; i++) {
            double t = i * 0.5;
            double extra = t < start ? 0 : 43 * (1 + (t - start) / 0.5);
            FakeRun.Step step = run.add(FakeTick.at(t).heap(5 * MIB, 10 * MIB, 16 * MIB, 400 * MIB).gcCount(1 + i / 10)
                    .part("metaspace", 12 * MIB).part("threadStacks", 11 * MIB)
                    .part("nativeUntracked", (long) ((12 + extra) * MIB)));
            if (step.forecast().unreclaimableBytes() >= 512 * MIB) {
                kill = t;
                break;
            }
        }
        List<FakeRun.Step> warned = run.due(Decision.Action.WARN);
        assertFalse(warned.isEmpty(), run.transcript());
        assertTrue(warned.get(0).seconds() <= start + 1, run.transcript());
        assertTrue(kill - warned.get(0).seconds() >= 3, run.transcript());
    }

    @ParameterizedTest
    @ValueSource(strings = {"directBuffers", "nativeUntracked"})
    void nativeGrowthIsForecastAndNamedAsTheFastestGrowingPart(String grower) {
        FakeRun run = new FakeRun();
        for (int i = 0; i < 8; i++) {
            long growing = 30 * MIB + i * 20L * MIB;
            FakeTick t = FakeTick.at(i).heap(60 * MIB, 100 * MIB, 200 * MIB, 400 * MIB)
                    .part("metaspace", 40 * MIB + i * MIB / 4);
            if (grower.equals("directBuffers")) {
                t.part("directBuffers", growing).part("nativeUntracked", 20 * MIB);
            } else {
                t.part("directBuffers", 20 * MIB).part("nativeUntracked", growing);
            }
            run.add(t);
        }
        Forecast f = run.steps.get(run.steps.size() - 1).forecast();
        assertEquals(grower, f.growing().get(0).partId());
        assertEquals(20 * MIB, f.growing().get(0).bytesPerSecond(), MIB);
        double truth = (512 - 40 - 1.75 - 200 - 20 - 30 - 7 * 20) * MIB / (20.0 * MIB);
        assertEquals(truth, f.secondsToLimit(), truth * 0.3);
        FakeRun.Step warned = run.due(Decision.Action.WARN).get(0);
        String label = grower.equals("directBuffers") ? "Direct buffers" : "Native, not tracked by the JVM";
        assertTrue(String.join("; ", warned.decision().reasons()).contains("fastest: " + label), run.transcript());
    }

    @Test
    void heapThatFillsMaxHeapBeforeTheLimitIsNoKillButAnOutOfMemoryWarning() {
        FakeRun run = new FakeRun();
        long max = 200 * MIB;
        // The live data grows 1.5 MiB/s for 90 s (an old collection every second).
        for (int i = 0; i < 90; i++) {
            long live = 40 * MIB + (long) (i * 1.5 * MIB);
            long committed = Math.min(max, live + 40 * MIB);
            run.add(FakeTick.at(i).heap(20 * MIB, live, committed, max).gcCount(1 + 3L * i)
                    .part("directBuffers", 120 * MIB).part("nativeUntracked", 30 * MIB));
        }
        Forecast f = run.steps.get(run.steps.size() - 1).forecast();
        assertEquals(max, f.heapCeilingBytes(), "max heap is the ceiling: 512 MiB - 150 MiB of the rest is more");
        assertFalse(f.hasEstimate(), "nothing but the heap grows: an OutOfMemoryError comes, not a kill");
        assertEquals((200 - 40 - 89 * 1.5) / 1.5, f.secondsToHeapCeiling(), 3);
        FakeRun.Step warned = run.due(Decision.Action.WARN).get(0);
        assertEquals(Level.WARNING, warned.decision().level());
        assertTrue(String.join("; ", warned.decision().reasons()).contains("OutOfMemoryError"), run.transcript());
        assertTrue(run.due(Decision.Action.DUMP_HEAP).isEmpty(), run.transcript());
    }

    @Test
    void afterTheHeapCeilingOnlyTheOtherGrowingPartsCountTowardsTheLimit() {
        FakeRun run = new FakeRun();
        long max = 200 * MIB;
        for (int i = 0; i < 6; i++) {
            long live = 40 * MIB + i * 30L * MIB;
            long committed = Math.min(max, live + 40 * MIB);
            run.add(FakeTick.at(i).heap(20 * MIB, Math.min(live, max), committed, max).gcCount(1 + 3L * i)
                    .part("directBuffers", 120 * MIB + i * 5L * MIB).part("nativeUntracked", 30 * MIB));
        }
        // At 5 s: live 190 MiB, so the heap fills max in 1/3 s at 30 MiB/s; then only the direct
        // buffers grow, 5 MiB/s, from 145 MiB, and 512 - 200 - 30 - 145 = 137 MiB remain.
        Forecast f = run.steps.get(run.steps.size() - 1).forecast();
        assertTrue(f.hasEstimate(), run.transcript());
        double truth = 10.0 / 30 + (512 - 200 - 30 - 145 - 5 * (10.0 / 30)) / 5.0;
        assertEquals(truth, f.secondsToLimit(), truth * 0.3, run.transcript());
    }

    @Test
    void samplesAfterAGapAreMeasuredInTheirOwnTime() {
        // 512 MiB: max heap (410 MiB) and the 188 MiB beside it do not fit, so the heap kills.
        HeapLeak leak = new HeapLeak(10, 512);
        FakeRun run = new FakeRun();
        double[] times = {0, 1, 2, 9, 10, 11};
        for (double t : times) {
            run.add(leak.tick(t, 1 + (long) t));
        }
        Forecast f = run.steps.get(run.steps.size() - 1).forecast();
        double truth = leak.killSeconds() - 11;
        assertTrue(Double.isFinite(truth));
        assertEquals(10 * MIB, f.growthBytesPerSecond(), 2 * MIB);
        assertEquals(truth, f.secondsToLimit(), truth * 0.3);
    }

    @Test
    void hostMemoryAsTheLimitLowersTheConfidence() {
        Forecast limited = lastForecast(false);
        Forecast host = lastForecast(true);
        assertTrue(limited.confidence() > 0.5);
        assertEquals(limited.confidence() * 0.5, host.confidence(), 1e-9);
        assertEquals(limited.secondsToLimit(), host.secondsToLimit(), 1e-9);
    }

    private static Forecast lastForecast(boolean host) {
        History h = new History();
        for (int i = 0; i < 6; i++) {
            FakeTick t = FakeTick.at(i).heap(10 * MIB, 50 * MIB, 100 * MIB, 400 * MIB)
                    .part("nativeUntracked", 10 * MIB + i * 20L * MIB);
            if (host) {
                t.unlimited(512 * MIB);
            }
            FakeTick.Tick tick = t.build();
            h.add(tick.snapshot(), tick.breakdown());
        }
        return Forecaster.forecast(h, ForecastSettings.defaults());
    }

    @Test
    void noLimitMeansNoEstimate() {
        History h = new History();
        for (int i = 0; i < 6; i++) {
            FakeTick.Tick tick = FakeTick.at(i).limit(-1).part("nativeUntracked", i * 20L * MIB).build();
            h.add(tick.snapshot(), tick.breakdown());
        }
        Forecast f = Forecaster.forecast(h, ForecastSettings.defaults());
        assertFalse(f.hasEstimate());
        assertEquals(-1, f.limitBytes());
        assertNotNull(f.trend("nativeUntracked"), "the growth is still reported");
    }

    @Test
    void growthThatStartsAfterLongCalmIsSeenWithinThreeSamples() {
        FakeRun run = new FakeRun();
        for (int i = 0; i < 100; i++) {
            run.add(FakeTick.at(i).heap(10 * MIB, 50 * MIB, 100 * MIB, 400 * MIB)
                    .part("nativeUntracked", 30 * MIB + (i % 3) * MIB / 2));
        }
        for (int i = 100; i < 104; i++) {
            run.add(FakeTick.at(i).heap(10 * MIB, 50 * MIB, 100 * MIB, 400 * MIB)
                    .part("nativeUntracked", 30 * MIB + (i - 99) * 25L * MIB));
        }
        FakeRun.Step warned = run.due(Decision.Action.WARN).get(0);
        assertTrue(warned.seconds() <= 102, run.transcript());
    }

    @Test
    void partsThatAppearWhenNmtIsSwitchedOnDoNotDisturbTheForecast() {
        HeapLeak leak = new HeapLeak(20, 768);
        FakeRun run = new FakeRun();
        for (int i = 0; i < 8; i++) {
            FakeTick.Tick t = leak.tick(i, 1 + i);
            if (i >= 4) {
                // From here the reconciler names NMT categories instead of the MXBean parts.
                t = FakeTick.at(i).limit(leak.limit).heap(0, leak.live(i), leak.committed(i), leak.heapMax)
                        .gcCount(1 + i).workingSet(leak.workingSet(i))
                        .part("nmt.class", 40 * MIB).part("nmt.thread", 20 * MIB).part("nmt.other", 120 * MIB)
                        .build();
            }
            run.add(t);
        }
        Forecast f = run.steps.get(run.steps.size() - 1).forecast();
        double truth = leak.killSeconds() - 7;
        assertEquals(truth, f.secondsToLimit(), truth * 0.3, run.transcript());
        assertTrue(f.confidence() >= 0.5);
        for (Trend t : f.growing()) {
            assertTrue(t.partId().equals("heap") || t.partId().equals("liveHeap"), "only the heap grows: " + t);
        }
        // Eight seconds of live levels are no trend of the live data (it needs a minute).
        assertEquals(null, f.trend("liveHeap"), run.transcript());
    }
}
