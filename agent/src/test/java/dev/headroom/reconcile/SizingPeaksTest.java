package dev.headroom.reconcile;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.headroom.reconcile.SnapshotFixture.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SizingPeaksTest {

    private static Part part(String id, long mib) {
        return PartCatalogue.part(id, mib * MIB, "fixture");
    }

    @Test
    void eachNonHeapPartIsBudgetedAtItsOwnPeakAndTheHeapApart() {
        SizingPeaks peaks = new SizingPeaks();
        // Warm-up: the compiler's arena peaks, direct buffers are few.
        peaks.add(1_000, 300 * MIB, 512 * MIB, 256 * MIB, 40 * MIB, 20, List.of(part("heap", 200),
                part("agent", 2), part("nmt.compiler", 30), part("directBuffers", 10), part("kernel", 5),
                part("activePageCache", 40), part("unexplained", 13)));
        // Later: the arena is given back, direct buffers grow.
        peaks.add(61_000, 330 * MIB, 512 * MIB, 256 * MIB, 60 * MIB, 25, List.of(part("heap", 230),
                part("agent", 2), part("nmt.compiler", 2), part("directBuffers", 60), part("kernel", 6),
                part("activePageCache", 30), part("unexplained", -2)));

        MeasuredBudget b = peaks.budget();
        assertEquals(232 * MIB, b.heapCommittedPeakBytes(), "the agent's share is part of the heap");
        assertEquals(60 * MIB, b.heapAfterGcPeakBytes());
        assertEquals(256 * MIB, b.maxHeapBytes());
        assertEquals(330 * MIB, b.workingSetPeakBytes());
        assertEquals(30 * MIB, b.peak("nmt.compiler"));
        assertEquals(60 * MIB, b.peak("directBuffers"));
        assertEquals(-1, b.peak("activePageCache"), "reclaimable page cache is no part of the budget");
        // 30 + 60 + 6 + 13 (the unexplained remainder's positive peak)
        assertEquals(109 * MIB, b.nonHeapPeakBytes());
        assertEquals(61_000, b.nonHeapPeakMillis());
        assertEquals(25, b.threadsPeak());
        assertEquals((512 - 109) * MIB, b.ceiling().bytes());
        assertEquals("heap ceiling 403 MiB (the 512 MiB limit less 109 MiB of non-heap, measured peak)",
                b.ceiling().words());
        assertTrue(b.fits(), "256 + 109 < 512");
        assertEquals("directBuffers", b.parts().get(0).id(), "largest first");
    }

    @Test
    void withoutNmtTheStackPagesNeverTouchedComeOffTheThreadStacks() {
        SizingPeaks peaks = new SizingPeaks();
        // 200 threads x 1 MiB reserved; the JVM's tracked memory is 170 MiB more than is resident.
        peaks.add(1_000, 300 * MIB, 512 * MIB, 256 * MIB, -1, 200, List.of(part("heap", 100),
                part("threadStacks", 200), part("committedNotResident", -170), part("metaspace", 50)));

        MeasuredBudget b = peaks.budget();
        assertEquals(30 * MIB, b.peak("threadStacks"));
        assertEquals("Thread stacks (resident)", b.parts().stream().filter(p -> p.id().equals("threadStacks"))
                .findFirst().orElseThrow().label());
        assertEquals(80 * MIB, b.nonHeapPeakBytes());
    }

    @Test
    void withNmtTheStacksAreTakenAsNmtCountsThem() {
        SizingPeaks peaks = new SizingPeaks();
        peaks.add(1_000, 300 * MIB, 512 * MIB, 256 * MIB, -1, 200, List.of(part("nmt.javaHeap", 100),
                part("nmt.thread", 12), part("committedNotResident", -40), part("nmt.gc", 9)));

        MeasuredBudget b = peaks.budget();
        assertEquals(12 * MIB, b.peak("nmt.thread"));
        assertEquals(21 * MIB, b.nonHeapPeakBytes());
        assertEquals(100 * MIB, b.heapCommittedPeakBytes());
    }

    @Test
    void nonHeapOverTheLimitLeavesNoRoomAndTheMaxHeapDoesNotFit() {
        SizingPeaks peaks = new SizingPeaks();
        peaks.add(1_000, 300 * MIB, 256 * MIB, 200 * MIB, -1, 10, List.of(part("heap", 100), part("shmem", 300)));

        MeasuredBudget b = peaks.budget();
        assertFalse(b.fits());
        assertTrue(b.ceiling().bytes() < 0);
        assertTrue(b.ceiling().words().startsWith("no room for a heap"), b.ceiling().words());
    }

    @Test
    void nothingSeenIsNoBudget() {
        SizingPeaks peaks = new SizingPeaks();
        peaks.add(1_000, -1, 512 * MIB, -1, -1, -1, List.of());
        assertNull(peaks.budget());
        assertEquals(0, peaks.samples());
    }

    @Test
    void theCadenceWaitsForTheWarmUpThenSpeaksOnlyWhenAPeakGrowsMaterially() {
        SizingPeaks peaks = new SizingPeaks();
        BudgetCadence cadence = new BudgetCadence(0, 60_000);
        peaks.add(1_000, 300 * MIB, 512 * MIB, 256 * MIB, -1, 10, List.of(part("heap", 200), part("metaspace", 50)));
        assertFalse(cadence.due(30_000, peaks), "still warming up");
        assertTrue(cadence.due(60_000, peaks), "settled");
        assertFalse(cadence.due(61_000, peaks), "nothing new");

        // +3 MiB: under 4 MiB, not material.
        peaks.add(62_000, 303 * MIB, 512 * MIB, 256 * MIB, -1, 10, List.of(part("heap", 200), part("metaspace", 53)));
        assertFalse(cadence.due(62_000, peaks));
        // Working set +16 MiB of 303 (5.3 %): material.
        peaks.add(63_000, 319 * MIB, 512 * MIB, 256 * MIB, -1, 10, List.of(part("heap", 216), part("metaspace", 53)));
        assertTrue(cadence.due(63_000, peaks));
        assertFalse(cadence.due(64_000, peaks));
    }
}
