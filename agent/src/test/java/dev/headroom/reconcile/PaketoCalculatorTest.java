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
}
