package dev.headroom.reconcile;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.headroom.reconcile.SnapshotFixture.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BudgetCheckTest {

    /**
     * A Spring Boot service at start: 8,000 classes, a 48 MiB code cache, direct memory unset,
     * 1 MiB stacks, 22 threads alive and 40 expected. Non-heap:
     * 8,000 x 5,800 + 14,000,000 = 60,400,000; + 50,331,648 + 10,485,760 + 40 x 1,048,576 = 163,160,448 B.
     */
    private static JvmBudgetInputs service(long maxHeap) {
        return new JvmBudgetInputs(maxHeap, -1, 48 * MIB, -1, MIB, 22, 40, 8_000);
    }

    @Test
    void aHeapTooLargeForTheLimitGetsSmallerFlags() {
        Budget b = BudgetCheck.check(512 * MIB, service(384 * MIB));

        assertEquals(163_160_448L, b.nonHeapBytes());
        assertEquals(384 * MIB + 163_160_448L, b.totalBytes());
        assertFalse(b.fits());
        // 536,870,912 - 163,160,448 = 373,710,464 B = 356.4 MiB
        assertEquals(373_710_464L, b.effectiveHeapCeilingBytes());
        // -Xmx rounds down to whole MiB; 373,710,464 / 536,870,912 = 69.609 % rounds down to 69.6
        assertEquals(List.of("-Xmx356m", "-XX:MaxRAMPercentage=69.6"), b.suggestedFlags());
        assertEquals("Heap can grow to 384 MiB, but the 512 MiB limit leaves room for only 356 MiB of heap "
                + "after 156 MiB of non-heap: use -Xmx356m or -XX:MaxRAMPercentage=69.6.", b.summary());
    }

    @Test
    void nonHeapIsEstimatedLikeTheMemoryCalculator() {
        Budget b = BudgetCheck.check(512 * MIB, service(384 * MIB));

        assertEquals(4, b.nonHeap().size());
        assertItem(b, "Metaspace", 60_400_000L);
        assertItem(b, "Code cache", 48 * MIB);
        assertItem(b, "Direct buffers", 10 * MIB);
        assertItem(b, "Thread stacks", 40 * MIB);
        assertTrue(item(b, "Direct buffers").estimate().contains("MaxDirectMemorySize is unset"));
        assertTrue(item(b, "Thread stacks").estimate().startsWith("40 threads (expected)"));
    }

    @Test
    void setLimitsAreBudgetedAsTheyAre() {
        JvmBudgetInputs in = new JvmBudgetInputs(256 * MIB, 128 * MIB, 240 * MIB, 64 * MIB, 512 * 1024, 60, -1, 8_000);
        Budget b = BudgetCheck.check(1024 * MIB, in);

        assertItem(b, "Metaspace", 128 * MIB);
        assertItem(b, "Code cache", 240 * MIB);
        assertItem(b, "Direct buffers", 64 * MIB);
        assertItem(b, "Thread stacks", 30 * MIB); // the 60 live threads x 512 KiB
        assertTrue(item(b, "Thread stacks").estimate().startsWith("60 threads (alive at start)"));
        assertEquals((128 + 240 + 64 + 30) * MIB, b.nonHeapBytes());
    }

    @Test
    void anUnknownThreadCountFallsBackToTheCalculatorsDefault() {
        JvmBudgetInputs in = new JvmBudgetInputs(256 * MIB, -1, 48 * MIB, -1, -1, -1, -1, -1);
        Budget b = BudgetCheck.check(1024 * MIB, in);

        assertItem(b, "Thread stacks", 250 * MIB);
        assertItem(b, "Metaspace", 14_000_000L);
    }

    @Test
    void aHeapThatLeavesRoomFits() {
        Budget b = BudgetCheck.check(1024 * MIB, service(512 * MIB));

        assertTrue(b.fits());
        assertTrue(b.suggestedFlags().isEmpty());
        assertEquals(1024 * MIB - 163_160_448L, b.effectiveHeapCeilingBytes());
        // spare = 1,073,741,824 - 536,870,912 - 163,160,448 = 373,710,464 B = 356.4 MiB
        assertEquals("Heap can grow to 512 MiB and non-heap needs about 156 MiB: together they fit the "
                + "1024 MiB limit with 356 MiB to spare.", b.summary());
    }

    @Test
    void withoutALimitEverythingFits() {
        Budget b = BudgetCheck.check(-1, service(4096 * MIB));

        assertTrue(b.fits());
        assertEquals(-1, b.limitBytes());
        assertEquals(-1, b.effectiveHeapCeilingBytes());
        assertTrue(b.suggestedFlags().isEmpty());
        assertTrue(b.summary().startsWith("There is no memory limit"), b.summary());
        assertTrue(b.summary().contains("4096 MiB"), b.summary());
    }

    @Test
    void nonHeapAloneOverTheLimitSuggestsNoHeapSize() {
        JvmBudgetInputs in = new JvmBudgetInputs(64 * MIB, -1, 48 * MIB, -1, MIB, 20, 200, 8_000);
        Budget b = BudgetCheck.check(256 * MIB, in);

        // 60,400,000 B (57.6 MiB) + 48 + 10 + 200 MiB = 315.6 MiB > 256 MiB
        assertFalse(b.fits());
        assertTrue(b.effectiveHeapCeilingBytes() < 0);
        assertTrue(b.suggestedFlags().isEmpty());
        assertTrue(b.summary().startsWith("Non-heap alone needs about 316 MiB, more than the 256 MiB limit"),
                b.summary());
    }

    @Test
    void anUnknownMaxHeapIsJudgedOnTheRoomLeft() {
        Budget b = BudgetCheck.check(512 * MIB, service(-1));

        assertTrue(b.fits());
        assertEquals(-1, b.totalBytes());
        assertTrue(b.summary().contains("leaves room for 356 MiB of heap"), b.summary());
    }

    @Test
    void percentagesRoundDownToOneDecimalAndDropAZero() {
        assertEquals("50", BudgetCheck.percentage(256 * MIB, 512 * MIB));
        assertEquals("58.5", BudgetCheck.percentage(300 * MIB, 512 * MIB)); // 58.59
        assertEquals("80.4", BudgetCheck.percentage(412 * MIB, 512 * MIB)); // 80.46875, never up
    }

    private static Budget.Item item(Budget b, String name) {
        for (Budget.Item i : b.nonHeap()) {
            if (i.name().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no item " + name + " in " + b.nonHeap());
    }

    private static void assertItem(Budget b, String name, long bytes) {
        assertEquals(bytes, item(b, name).bytes(), name);
    }
}
