package dev.headroom.act;

import dev.headroom.forecast.FakeRun;
import dev.headroom.forecast.FakeTick;
import dev.headroom.forecast.Forecast;
import org.junit.jupiter.api.Test;

import static dev.headroom.forecast.FakeTick.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kernel counters count as evidence only while reclaim struggles; thrashing is its own state. */
class KernelEvidenceTest {

    /** A service at 60 % unreclaimable with this much active page cache beside it, under 512 MiB. */
    private static FakeTick service(double seconds, long pageCache) {
        return FakeTick.at(seconds).heap(20 * MIB, 100 * MIB, 200 * MIB, 256 * MIB)
                .part("nativeUntracked", 107 * MIB).pageCache(pageCache);
    }

    @Test
    void failcntRisingThousandsOfTimesWhileThePageCacheIsReclaimedIsNoWarning() {
        // The measured case: a file streamed through a full cgroup, 4670 hits in one second.
        FakeRun run = new FakeRun();
        for (int i = 0; i < 60; i++) {
            run.add(service(i, 150 * MIB).failcnt(4670L * i));
        }
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    @Test
    void failcntRisingWithLittleCleanPageCacheLeftIsAWarningThatSaysWhy() {
        FakeRun run = new FakeRun();
        run.add(service(0, 10 * MIB).failcnt(100));
        FakeRun.Step hit = run.add(service(1, 10 * MIB).failcnt(140));
        assertEquals(Level.WARNING, hit.decision().level());
        assertTrue(hit.decision().reasons().get(0).contains("only 10 MiB of clean page cache is left"),
                hit.decision().reasons().toString());
    }

    @Test
    void limitHitsWhileAFullCacheEmptiesAreNoWarning() {
        // Measured at the end of a stream: 150 MiB of clean cache at the last sample, none now (the
        // file was deleted), and the limit hit 44 times in between, while it was being reclaimed.
        FakeRun run = new FakeRun();
        run.add(service(0, 150 * MIB).failcnt(100));
        FakeRun.Step emptied = run.add(service(1, 0).failcnt(144));
        assertEquals(Level.OK, emptied.decision().level(), run.transcript());
        // Hits on the next sample, with the cache still gone: reclaim has nothing left to take.
        FakeRun.Step still = run.add(service(2, 0).failcnt(190));
        assertEquals(Level.WARNING, still.decision().level(), run.transcript());
    }

    @Test
    void limitHitsWithPlentyOfPageCacheCountWhenTheCgroupsOwnPsiShowsStalls() {
        FakeRun run = new FakeRun();
        run.add(service(0, 150 * MIB).eventsMax(1).pressure(2, 0));
        FakeRun.Step quiet = run.add(service(1, 150 * MIB).eventsMax(40).pressure(2, 0));
        assertEquals(Level.OK, quiet.decision().level(), "stalls below the PSI line: routine reclaim");
        FakeRun.Step stalled = run.add(service(2, 150 * MIB).eventsMax(90).pressure(30, 6));
        assertEquals(Level.WARNING, stalled.decision().level());
        assertTrue(String.join("; ", stalled.decision().reasons()).contains("tasks stall on memory"),
                stalled.decision().reasons().toString());
    }

    @Test
    void refaultsOfHotFilesAreThrashingNotAKillWarning() {
        FakeRun run = new FakeRun();
        Forecast last = null;
        for (int i = 0; i < 30; i++) {
            // 5 MiB/s of file pages read back: 1280 pages a second.
            last = run.add(service(i, 150 * MIB).refaults(1280L * i)).forecast();
        }
        assertTrue(last.thrashing().active(), last.thrashing().toString());
        assertEquals(5 * MIB, last.thrashing().refaultBytesPerSecond(), MIB / 10.0);
        assertEquals((512 - 307) * MIB, last.thrashing().pageCacheRoomBytes());
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    @Test
    void aFewRefaultsAreACacheDoingItsJob() {
        FakeRun run = new FakeRun();
        Forecast last = null;
        for (int i = 0; i < 30; i++) {
            last = run.add(service(i, 150 * MIB).refaults(20L * i)).forecast();
        }
        assertFalse(last.thrashing().active());
    }

    @Test
    void limitHitsWhileThrashingAreStillNoKillWarning() {
        // Measured: a hot file and a stream under 512 MiB refaulted at 2 to 47 MiB/s while failcnt
        // rose, and both services ended normally. Reclaim succeeds; it only takes wanted pages.
        FakeRun run = new FakeRun();
        FakeRun.Step step = null;
        for (int i = 0; i < 12; i++) {
            step = run.add(service(i, 150 * MIB).refaults(12_000L * i).failcnt(100L * i));
        }
        assertTrue(step.forecast().thrashing().active());
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }

    @Test
    void aHotFileInActivePageCacheBesideABusyHeapIsNoDanger() {
        // The measured false alarm: a 260 MiB file kept hot (active page cache) under 512 MiB,
        // beside a heap whose live set swings; the working set sat at the limit.
        FakeRun run = new FakeRun();
        for (int i = 0; i < 300; i++) {
            long live = (60 + 40 * (i / 10 % 2)) * MIB;
            run.add(FakeTick.at(i).heap((i % 4) * 20 * MIB, live, 160 * MIB, 256 * MIB).gcCount(1 + i)
                    .part("metaspace", 40 * MIB).part("nativeUntracked", 20 * MIB).pageCache(260 * MIB)
                    .failcnt(300L * i));
        }
        assertTrue(run.due(Decision.Action.WARN).isEmpty(), run.transcript());
    }
}
