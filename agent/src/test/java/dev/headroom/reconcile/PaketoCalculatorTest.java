package dev.headroom.reconcile;

import org.junit.jupiter.api.Test;

import static dev.headroom.reconcile.PaketoCalculator.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The calculator's figures in docs/sizing.md, computed here so the table can be checked. */
class PaketoCalculatorTest {

    @Test
    void aSmallServiceIn512MiBIsRefusedWithTheDefault250Threads() {
        // 1,200 classes: 10 + 20.6 + 240 + 250 MiB = 520.6 MiB of non-heap
        assertEquals(10 * MIB + 20_960_000 + 240 * MIB + 250 * MIB, PaketoCalculator.nonHeap(1_200, 250));
        assertTrue(PaketoCalculator.heap(512 * MIB, 1_200, 250) < 0);
    }

    @Test
    void theLimitItNeedsForAHeapIsTheHeapPlusItsFixedNonHeap() {
        long nonHeap = PaketoCalculator.nonHeap(1_200, 250);
        assertEquals(410 * MIB + nonHeap, PaketoCalculator.limitFor(410 * MIB, 1_200, 250));
        assertEquals(410 * MIB, PaketoCalculator.heap(PaketoCalculator.limitFor(410 * MIB, 1_200, 250), 1_200, 250));
    }

    /**
     * The rows of docs/sizing.md: the classes each sample had loaded at the end of its measured run, the
     * calculator's default 250 threads, and the heap each ran with.
     */
    @Test
    void theFiguresOfTheSizingTable() {
        // GcSawtooth (2,143 classes, -Xmx 410 MiB): 525.2 MiB of non-heap, refused in 512 MiB, needs 935.2 MiB
        assertEquals(525.2, mib(PaketoCalculator.nonHeap(2_143, 250)), 0.05);
        assertTrue(PaketoCalculator.heap(512 * MIB, 2_143, 250) < 0);
        assertEquals(935.2, mib(PaketoCalculator.limitFor(410 * MIB, 2_143, 250)), 0.05);
        // SpikeThenRecover and WorkingSetStep (about 2,145 classes, -Xmx 256 MiB): needs 781.2 MiB
        assertEquals(781.2, mib(PaketoCalculator.limitFor(256 * MIB, 2_145, 250)), 0.05);
        // The Spring Boot sample (9,391 classes, -Xmx128m): 565.3 MiB of non-heap, needs 693.3 MiB
        assertEquals(565.3, mib(PaketoCalculator.nonHeap(9_391, 250)), 0.05);
        assertEquals(693.3, mib(PaketoCalculator.limitFor(128 * MIB, 9_391, 250)), 0.05);
        // Told the real thread count (23), it would give the service 173.7 MiB of heap in 512 MiB.
        assertEquals(173.7, mib(PaketoCalculator.heap(512 * MIB, 9_391, 23)), 0.05);
    }

    private static double mib(long bytes) {
        return bytes / (double) MIB;
    }
}
