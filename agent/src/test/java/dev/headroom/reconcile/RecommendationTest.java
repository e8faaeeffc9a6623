package dev.headroom.reconcile;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.headroom.reconcile.SnapshotFixture.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecommendationTest {

    private static MeasuredBudget budget(long maxHeapMib, long... idAndMib) {
        SizingPeaks peaks = new SizingPeaks();
        List<Part> parts = new java.util.ArrayList<>();
        parts.add(PartCatalogue.part("heap", maxHeapMib * MIB / 2, "fixture"));
        for (int i = 0; i < idAndMib.length; i += 2) {
            parts.add(PartCatalogue.part(ID[(int) idAndMib[i]], idAndMib[i + 1] * MIB, "fixture"));
        }
        long ws = 0;
        for (Part p : parts) {
            ws += p.bytes();
        }
        peaks.add(1_000, ws, 1024 * MIB, maxHeapMib * MIB, -1, 30, parts);
        return peaks.budget();
    }

    private static final String[] ID = {"directBuffers", "codeCache", "metaspace", "nativeUntracked", "kernel"};
    private static final long DIRECT = 0, CODE = 1, META = 2, NATIVE = 3, KERNEL = 4;

    @Test
    void theLimitIsTheHeapThePeaksAndTheCapsRoomOverOneLessTheMargin() {
        // 256 MiB heap; non-heap peaks: direct 40, code 20, metaspace 60, native 10, kernel 6 = 136 MiB.
        Recommendation.Result r = Recommendation.of(List.of(budget(256, DIRECT, 40, CODE, 20, META, 60, NATIVE, 10,
                KERNEL, 6)), 0.20);

        // Direct cap: ceil(40 / 0.8) = 50 MiB (room 10); code cache: max(48, 2 x 20 = 40) = 48 MiB (room 28).
        assertEquals("-XX:MaxDirectMemorySize=50m", r.setting("-XX:MaxDirectMemorySize").value());
        assertEquals("-XX:ReservedCodeCacheSize=48m", r.setting("-XX:ReservedCodeCacheSize").value());
        // need = 256 + 136 + 10 + 28 = 430 MiB; limit = ceil(430 / 0.8) = 537.5 -> 538 MiB
        assertEquals(430 * MIB, r.needBytes());
        assertEquals(538 * MIB, r.limitBytes());
        assertEquals("538Mi", r.setting("limit").value());
        assertEquals("-Xmx256m", r.setting("-Xmx").value());
        // 256 / 538 = 47.58 % rounds down
        assertEquals("-XX:MaxRAMPercentage=47.5", r.setting("-XX:MaxRAMPercentage").value());
        assertEquals(List.of("-Xmx256m", "-XX:MaxDirectMemorySize=50m", "-XX:ReservedCodeCacheSize=48m"), r.jvmFlags());
        assertNull(r.setting("MALLOC_ARENA_MAX"), "10 MiB of untracked native memory points nowhere");
        assertTrue(r.setting("-XX:MaxDirectMemorySize").evidence().startsWith("direct buffers peaked at 40 MiB"),
                r.setting("-XX:MaxDirectMemorySize").evidence());
    }

    @Test
    void largeUntrackedNativeMemoryPointsAtMallocArenas() {
        Recommendation.Result r = Recommendation.of(List.of(budget(128, NATIVE, 90, META, 20)), 0.20);
        assertEquals("MALLOC_ARENA_MAX=2", r.setting("MALLOC_ARENA_MAX").value());
        assertEquals(90 * MIB, r.setting("MALLOC_ARENA_MAX").peakBytes());
    }

    @Test
    void withoutNmtTheJvmsOwnNativeMemoryIsNoSignOfMallocArenas() {
        // The Spring Boot sample without NMT: 40 MiB untracked is GC, JIT arenas and symbols.
        Recommendation.Result r = Recommendation.of(List.of(budget(128, NATIVE, 40, META, 42)), 0.20);
        assertNull(r.setting("MALLOC_ARENA_MAX"));
    }

    @Test
    void severalRunsAreSizedByEachPartsLargestPeak() {
        MeasuredBudget quiet = budget(256, DIRECT, 10, META, 80);
        MeasuredBudget busy = budget(256, DIRECT, 60, META, 50);
        Recommendation.Result r = Recommendation.of(List.of(quiet, busy), 0.20);

        assertEquals(2, r.runs());
        assertEquals(60 * MIB, r.setting("-XX:MaxDirectMemorySize").peakBytes());
        // need = 256 + (60 + 80) + (75 - 60) = 411 MiB
        assertEquals(411 * MIB, r.needBytes());
    }

    @Test
    void aCodeCacheThatWouldNeedTheFullReservationIsLeftAlone() {
        Recommendation.Result r = Recommendation.of(List.of(budget(256, CODE, 130)), 0.20);
        assertNull(r.setting("-XX:ReservedCodeCacheSize"), "2 x 130 MiB is more than the JDK's 240 MiB");
    }

    @Test
    void noRunsNoRecommendation() {
        assertNull(Recommendation.of(List.of(), 0.2));
    }
}
