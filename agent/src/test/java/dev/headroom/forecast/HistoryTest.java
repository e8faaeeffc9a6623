package dev.headroom.forecast;

import dev.headroom.sense.jvm.JvmMemory;
import dev.headroom.sense.jvm.MemoryPoolUsage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.headroom.forecast.FakeTick.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryTest {

    private static void add(History h, FakeTick t) {
        FakeTick.Tick tick = t.build();
        h.add(tick.snapshot(), tick.breakdown());
    }

    @Test
    void aCeilingIsReplacedByALaterOneAndRemovedByZero() {
        History h = new History(5);
        h.setCeiling("directBuffers", 100 * MIB);
        h.setCeiling("metaspace", -1);
        h.setCeiling("codeCache", 240 * MIB);
        h.setCeiling("directBuffers", 50 * MIB);
        assertEquals(2, h.ceilingCount());
        assertEquals("directBuffers", h.ceilingId(0));
        assertEquals(50 * MIB, h.ceilingBytes(0));
        h.setCeiling("directBuffers", 0);
        assertEquals(1, h.ceilingCount());
        assertEquals("codeCache", h.ceilingId(0));
        for (int i = 0; i < 10; i++) {
            h.setCeiling("part" + i, MIB);
        }
        assertEquals(History.MAX_CEILINGS, h.ceilingCount(), "at most a few: one a capped kind of JVM memory");
    }

    @Test
    void aFullRingKeepsTheLatestSamplesOldestFirst() {
        History h = new History(5);
        for (int i = 0; i < 12; i++) {
            add(h, FakeTick.at(i).part("nativeUntracked", i * MIB));
        }
        assertEquals(5, h.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(FakeTick.EPOCH + (7 + i) * 1000L, h.time(i));
            assertEquals((7 + i) * MIB, h.workingSet(i));
        }
        assertEquals(FakeTick.EPOCH + 11_000L, h.latestEpochMillis());
    }

    @Test
    void partsThatAppearAndDisappearAreAbsentWhereTheyWereNotMeasured() {
        History h = new History(10);
        for (int i = 0; i < 6; i++) {
            FakeTick t = FakeTick.at(i);
            if (i < 3) {
                t.part("metaspace", 40 * MIB);
            } else {
                t.part("nmt.class", 41 * MIB).part("nmt.thread", 20 * MIB);
            }
            add(h, t);
        }
        int metaspace = h.partColumn("metaspace");
        int nmtClass = h.partColumn("nmt.class");
        assertEquals(40 * 1024, h.partKib(metaspace, 2));
        assertEquals(History.ABSENT, h.partKib(metaspace, 3));
        assertEquals(History.ABSENT, h.partKib(nmtClass, 2));
        assertEquals(41 * 1024, h.partKib(nmtClass, 5));
        assertEquals(41 * MIB, h.partLatestBytes(nmtClass));
        assertEquals(3, h.partCount());
    }

    @Test
    void aSampleAtTheSameTimeReplacesTheLatestAndAClockStepBackClears() {
        History h = new History(10);
        add(h, FakeTick.at(0).part("nativeUntracked", MIB));
        add(h, FakeTick.at(1).part("nativeUntracked", 2 * MIB));
        add(h, FakeTick.at(1).part("nativeUntracked", 3 * MIB));
        assertEquals(2, h.size());
        assertEquals(3 * MIB, h.workingSet(1));
        add(h, FakeTick.at(0.5).part("nativeUntracked", 4 * MIB));
        assertEquals(1, h.size());
        assertEquals(4 * MIB, h.workingSet(0));
    }

    @Test
    void aReplacedSampleInAFullRingKeepsTheOrder() {
        History h = new History(3);
        for (int i = 0; i < 5; i++) {
            add(h, FakeTick.at(i).part("nativeUntracked", i * MIB));
        }
        add(h, FakeTick.at(4).part("nativeUntracked", 9 * MIB));
        assertEquals(3, h.size());
        assertEquals(FakeTick.EPOCH + 2000, h.time(0));
        assertEquals(9 * MIB, h.workingSet(2));
    }

    @Test
    void liveHeapIsUnknownWhileOnlyYoungCollectionsRan() {
        // G1 after young collections only: the old gen's collection usage is still 0, and its
        // current use holds whatever was promoted, garbage included.
        JvmMemory g1 = jvm(3, 260 * MIB,
                new MemoryPoolUsage("G1 Eden Space", true, 100 * MIB, 150 * MIB, -1, 0),
                new MemoryPoolUsage("G1 Survivor Space", true, 10 * MIB, 10 * MIB, -1, 10 * MIB),
                new MemoryPoolUsage("G1 Old Gen", true, 150 * MIB, 200 * MIB, 400 * MIB, 0),
                new MemoryPoolUsage("Metaspace", false, 50 * MIB, 50 * MIB, -1, -1));
        assertEquals(-1, History.liveHeapBytes(g1));
    }

    @Test
    void liveHeapIsTheOldGenerationAfterTheLastOldCollectionLeavingYoungPoolsOut() {
        // Parallel after a full collection left 90 MiB in the old gen; it has since grown to 150
        // MiB by promotion, which is not the live set.
        JvmMemory parallel = jvm(12, 260 * MIB,
                new MemoryPoolUsage("PS Eden Space", true, 100 * MIB, 150 * MIB, -1, 0),
                new MemoryPoolUsage("PS Survivor Space", true, 10 * MIB, 10 * MIB, -1, 10 * MIB),
                new MemoryPoolUsage("PS Old Gen", true, 150 * MIB, 200 * MIB, 400 * MIB, 90 * MIB),
                new MemoryPoolUsage("Metaspace", false, 50 * MIB, 50 * MIB, -1, -1));
        assertEquals(90 * MIB, History.liveHeapBytes(parallel));
        JvmMemory zgcGenerational = jvm(7, 300 * MIB,
                new MemoryPoolUsage("ZGC Young Generation", true, 100 * MIB, 200 * MIB, -1, 20 * MIB),
                new MemoryPoolUsage("ZGC Old Generation", true, 200 * MIB, 200 * MIB, -1, 130 * MIB));
        assertEquals(130 * MIB, History.liveHeapBytes(zgcGenerational));
    }

    @Test
    void liveHeapOfASinglePoolCollectorIsItsUseAfterGc() {
        JvmMemory z = jvm(2, 300 * MIB, new MemoryPoolUsage("ZHeap", true, 300 * MIB, 400 * MIB, 400 * MIB, 120 * MIB));
        assertEquals(120 * MIB, History.liveHeapBytes(z));
    }

    @Test
    void liveHeapIsUnknownBeforeTheFirstCollection() {
        JvmMemory fresh = jvm(0, 30 * MIB, new MemoryPoolUsage("G1 Eden Space", true, 30 * MIB, 64 * MIB, -1, -1));
        assertEquals(-1, History.liveHeapBytes(fresh));
    }

    private static JvmMemory jvm(long gcCount, long heapUsed, MemoryPoolUsage... pools) {
        return new JvmMemory(heapUsed, 512 * MIB, 512 * MIB, List.of(pools), List.of(), 10, 1 << 20, 1000, gcCount, 5,
                null);
    }

    /**
     * A quick tick's carried sample: {@link History#repeatLatest} must leave the history exactly
     * as an {@link History#add} of the last full sample at the later time would, through wrap-
     * around, parts that come and go and the coarser scales' buckets (the forecasts compared).
     */
    @Test
    void repeatingTheLatestSampleIsTheSameAsAddingItAgainLater() {
        java.util.Random random = new java.util.Random(17);
        for (int capacity : new int[] {7, History.DEFAULT_CAPACITY}) {
            History added = new History(capacity);
            History repeated = new History(capacity);
            assertFalse(repeated.repeatLatest(FakeTick.EPOCH), "nothing to repeat yet");
            FakeTick.Tick full = null;
            double t = 0;
            long gcs = 0;
            for (int n = 0; n < 1500; n++) {
                t += 0.5 + random.nextInt(3) * 0.5;
                long now = FakeTick.EPOCH + Math.round(t * 1000);
                if (full == null || random.nextInt(4) == 0) {
                    gcs += random.nextInt(2);
                    FakeTick tick = FakeTick.at(t).limit(512 * MIB)
                            .heap(random.nextInt(60) * MIB, random.nextInt(90) * MIB, 200 * MIB, 256 * MIB)
                            .gcCount(gcs)
                            .part("metaspace", (40 + n / 50) * MIB)
                            .part("nativeUntracked", (long) (t * 0.3 * MIB) + random.nextInt(5) * MIB);
                    if (random.nextBoolean()) {
                        tick.part("directBuffers", random.nextInt(30) * MIB);
                    }
                    if (n % 7 == 0) {
                        tick.pageCache(random.nextInt(100) * MIB).refaults(n);
                    }
                    full = tick.build();
                    added.add(full.snapshot(), full.breakdown());
                    repeated.add(full.snapshot(), full.breakdown());
                } else {
                    added.add(full.snapshot().at(now), full.breakdown());
                    assertTrue(repeated.repeatLatest(now));
                }
                assertSameSamples(added, repeated, "capacity " + capacity + ", sample " + n);
                if (n % 10 == 0) {
                    assertEquals(Forecaster.forecast(added, ForecastSettings.defaults()),
                            Forecaster.forecast(repeated, ForecastSettings.defaults()), "sample " + n);
                }
            }
            long latest = repeated.latestEpochMillis();
            assertFalse(repeated.repeatLatest(latest), "not after the latest sample");
            assertFalse(repeated.repeatLatest(latest - 1000), "before it");
        }
    }

    private static void assertSameSamples(History a, History b, String where) {
        assertEquals(a.size(), b.size(), where);
        assertEquals(a.partCount(), b.partCount(), where);
        for (int i = 0; i < a.size(); i++) {
            String at = where + ", index " + i;
            assertEquals(a.time(i), b.time(i), at);
            assertEquals(a.workingSet(i), b.workingSet(i), at);
            assertEquals(a.limit(i), b.limit(i), at);
            assertEquals(a.limited(i), b.limited(i), at);
            assertEquals(a.unreclaimable(i), b.unreclaimable(i), at);
            assertEquals(a.heapResident(i), b.heapResident(i), at);
            assertEquals(a.refaults(i), b.refaults(i), at);
            assertEquals(a.heapUsed(i), b.heapUsed(i), at);
            assertEquals(a.heapCommitted(i), b.heapCommitted(i), at);
            assertEquals(a.heapMax(i), b.heapMax(i), at);
            assertEquals(a.liveHeap(i), b.liveHeap(i), at);
            assertEquals(a.gcCount(i), b.gcCount(i), at);
            assertEquals(a.eventsHigh(i), b.eventsHigh(i), at);
            assertEquals(a.eventsMax(i), b.eventsMax(i), at);
            assertEquals(a.eventsOomKill(i), b.eventsOomKill(i), at);
            assertEquals(a.failcnt(i), b.failcnt(i), at);
            assertEquals(a.someAvg10(i), b.someAvg10(i), at);
            assertEquals(a.fullAvg10(i), b.fullAvg10(i), at);
            for (int c = 0; c < a.partCount(); c++) {
                assertEquals(a.partKib(c, i), b.partKib(c, i), at + ", part " + c);
            }
        }
        for (int c = 0; c < a.partCount(); c++) {
            assertEquals(a.partLatestBytes(c), b.partLatestBytes(c), where + ", part " + c);
        }
    }
}
