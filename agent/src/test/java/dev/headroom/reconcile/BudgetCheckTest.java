package dev.headroom.reconcile;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.headroom.reconcile.SnapshotFixture.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BudgetCheckTest {

    /**
     * A service at start: 8,000 classes (40 MiB of metaspace committed), the default 240 MiB code
     * cache with 7 MiB committed, direct memory unset and none held, 1 MiB stacks, 22 threads.
     * Expected non-heap: metaspace 8,000 x 5,800 + 14,000,000 = 60,400,000; code cache 240 / 4 =
     * 62,914,560; direct 0; stacks 22 x 256 KiB = 5,767,168: 129,081,728 B in all (123.1 MiB).
     */
    private static JvmBudgetInputs service(long maxHeap) {
        return new JvmBudgetInputs(maxHeap, -1, 240 * MIB, -1, MIB, 22, -1, 8_000, 40 * MIB, 7 * MIB, 0);
    }

    private static final long EXPECTED_NON_HEAP = 129_081_728L;

    @Test
    void aSmallHeapInASmallContainerIsNotToldToShrinkForACodeCacheItNeverUses() {
        // The case: -Xmx64m in 300 MiB was told "use -Xmx20m" on the strength of 240 MiB of code cache.
        JvmBudgetInputs in = new JvmBudgetInputs(64 * MIB, -1, 240 * MIB, -1, MIB, 14, -1, 1_200, 6 * MIB, 7 * MIB, 0);
        Budget b = BudgetCheck.check(300 * MIB, true, in);

        assertTrue(b.fits(), b.summary());
        assertTrue(b.suggestedFlags().isEmpty());
        assertFalse(b.fitsWorstCase(), "at worst (240 MiB code cache, direct up to the heap) it would not");
        assertTrue(b.summary().contains("only if every reserved size were used in full would it not"), b.summary());
    }

    @Test
    void aHeapThatFitsAsExpectedIsNotWarnedEvenWhenTheWorstCaseWouldNot() {
        Budget b = BudgetCheck.check(512 * MIB, true, service(384 * MIB));

        assertEquals(EXPECTED_NON_HEAP, b.nonHeapBytes());
        assertTrue(b.fits());
        assertFalse(b.fitsWorstCase());
        assertEquals(512 * MIB - EXPECTED_NON_HEAP, b.effectiveHeapCeilingBytes());
        assertEquals("heap ceiling 388 MiB (the 512 MiB limit less 124 MiB of non-heap, expected)", b.expected().words());
        assertTrue(b.summary().startsWith("Heap can grow to 384 MiB and fits: heap ceiling 388 MiB"), b.summary());
    }

    @Test
    void aHeapThatCannotFitEvenAsExpectedGetsFlagsTheJvmAppliesToTheSameLimit() {
        Budget b = BudgetCheck.check(512 * MIB, true, service(410 * MIB));

        assertFalse(b.fits());
        // 536,870,912 - 129,081,728 = 407,789,184 B = 388.9 MiB; 75.95 % rounds down to 75.9
        assertEquals(407_789_184L, b.effectiveHeapCeilingBytes());
        assertEquals(List.of("-Xmx388m", "-XX:MaxRAMPercentage=75.9"), b.suggestedFlags());
        assertEquals("Heap can grow to 410 MiB, more than the heap ceiling 388 MiB (the 512 MiB limit less 124 MiB "
                + "of non-heap, expected): use -Xmx388m or -XX:MaxRAMPercentage=75.9.", b.summary());
    }

    @Test
    void theLimitOptionGetsNoPercentageBecauseTheJvmAppliesItToHostMemory() {
        Budget b = BudgetCheck.check(512 * MIB, false, service(410 * MIB));

        assertFalse(b.fits());
        assertEquals(List.of("-Xmx388m"), b.suggestedFlags());
        assertTrue(b.summary().contains("not MaxRAMPercentage"), b.summary());
    }

    @Test
    void eachPartIsExpectedFromWhatIsCommittedAndAtWorstFromWhatIsReserved() {
        Budget b = BudgetCheck.check(512 * MIB, true, service(384 * MIB));

        assertItem(b, "Metaspace", 60_400_000L, 60_400_000L);
        assertItem(b, "Code cache", 60 * MIB, 240 * MIB);
        assertItem(b, "Direct buffers", 0, 384 * MIB); // unset: the JDK lets them grow as large as the heap
        assertItem(b, "Thread stacks", 22 * 256 * 1024L, 22 * MIB);
        assertEquals(60_400_000L + 240 * MIB + 384 * MIB + 22 * MIB, b.worstCaseNonHeapBytes());
        assertTrue(item(b, "Direct buffers").estimate().contains("MaxDirectMemorySize is unset"));
        assertTrue(item(b, "Thread stacks").estimate().startsWith("22 threads (alive at start) x 256 KiB resident"));
    }

    @Test
    void directBuffersAreExpectedAsTheyAreHeld() {
        // The case: 10 MiB assumed for a service holding 120 MiB.
        JvmBudgetInputs in = new JvmBudgetInputs(256 * MIB, -1, 240 * MIB, -1, MIB, 22, -1, 8_000, 40 * MIB, 7 * MIB,
                120 * MIB);
        Budget b = BudgetCheck.check(512 * MIB, true, in);

        assertItem(b, "Direct buffers", 120 * MIB, 256 * MIB);
    }

    @Test
    void aCodeCacheAlreadyLargerThanAQuarterIsExpectedAsCommitted() {
        JvmBudgetInputs in = new JvmBudgetInputs(256 * MIB, -1, 240 * MIB, -1, MIB, 22, -1, 8_000, 40 * MIB, 90 * MIB, 0);
        assertItem(BudgetCheck.check(1024 * MIB, true, in), "Code cache", 90 * MIB, 240 * MIB);
    }

    @Test
    void setCeilingsBoundBothBases() {
        JvmBudgetInputs in = new JvmBudgetInputs(256 * MIB, 128 * MIB, 48 * MIB, 64 * MIB, 512 * 1024, 60, -1, 30_000,
                150 * MIB, 20 * MIB, 80 * MIB);
        Budget b = BudgetCheck.check(1024 * MIB, true, in);

        // 30,000 x 5,800 + 14,000,000 = 188,000,000 B expected, capped by MaxMetaspaceSize
        assertItem(b, "Metaspace", 128 * MIB, 128 * MIB);
        assertItem(b, "Code cache", 20 * MIB, 48 * MIB);
        assertItem(b, "Direct buffers", 64 * MIB, 64 * MIB);
        assertItem(b, "Thread stacks", 60 * 256 * 1024L, 30 * MIB);
    }

    @Test
    void anUnknownThreadCountFallsBackToTheCalculatorsDefault() {
        JvmBudgetInputs in = new JvmBudgetInputs(256 * MIB, -1, 48 * MIB, -1, -1, -1, -1, -1, -1, -1, -1);
        Budget b = BudgetCheck.check(1024 * MIB, true, in);

        assertItem(b, "Thread stacks", 250 * 256 * 1024L, 250 * MIB);
        assertItem(b, "Metaspace", 14_000_000L, 14_000_000L);
    }

    @Test
    void withoutALimitEverythingFits() {
        Budget b = BudgetCheck.check(-1, false, service(4096 * MIB));

        assertTrue(b.fits());
        assertEquals(-1, b.limitBytes());
        assertEquals(-1, b.effectiveHeapCeilingBytes());
        assertTrue(b.suggestedFlags().isEmpty());
        assertTrue(b.summary().startsWith("There is no memory limit"), b.summary());
        assertTrue(b.summary().contains("4096 MiB"), b.summary());
    }

    @Test
    void nonHeapAloneOverTheLimitSuggestsNoHeapSize() {
        JvmBudgetInputs in = new JvmBudgetInputs(64 * MIB, -1, 240 * MIB, -1, MIB, 20, 800, 8_000, -1, -1, 0);
        Budget b = BudgetCheck.check(256 * MIB, true, in);

        // 60,400,000 B (57.6 MiB) + 60 MiB + 800 x 256 KiB (200 MiB) = 317.6 MiB > 256 MiB
        assertFalse(b.fits());
        assertTrue(b.effectiveHeapCeilingBytes() < 0);
        assertTrue(b.suggestedFlags().isEmpty());
        assertTrue(b.summary().startsWith("Non-heap is expected to need about 318 MiB, more than the 256 MiB limit"),
                b.summary());
    }

    @Test
    void anUnknownMaxHeapIsJudgedOnTheRoomLeft() {
        Budget b = BudgetCheck.check(512 * MIB, true, service(-1));

        assertTrue(b.fits());
        assertEquals(-1, b.totalBytes());
        assertTrue(b.summary().contains("heap ceiling 388 MiB"), b.summary());
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

    private static void assertItem(Budget b, String name, long expected, long worst) {
        assertEquals(expected, item(b, name).bytes(), name + " expected");
        assertEquals(worst, item(b, name).worstCaseBytes(), name + " at worst");
    }
}
