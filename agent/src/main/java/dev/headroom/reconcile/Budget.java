package dev.headroom.reconcile;

import java.util.List;

/**
 * The start-up check's answer: whether the heap at its maximum fits the memory limit beside the
 * non-heap memory, judged on two bases. The <em>expected</em> non-heap (today's committed sizes
 * with the JDK's known growth) decides whether it fits; the <em>worst case</em> (every reserved
 * size in full) is said, never warned about. Made by {@link BudgetCheck}. Bytes; {@code -1} where
 * unknown or not applicable.
 *
 * @param limitBytes        the memory limit, {@code -1} when there is none
 * @param jvmSizesFromLimit whether the JVM sized its heap from this limit (a cgroup limit it sees), so
 *                          that {@code -XX:MaxRAMPercentage} applies to it; false for the {@code limit} option
 * @param maxHeapBytes      the heap's ceiling ({@code -Xmx}), {@code -1} unknown
 * @param nonHeap           the non-heap items, each expected and at worst
 * @param expected          the heap ceiling with non-heap as expected
 * @param worstCase         the heap ceiling with non-heap at its reserved sizes
 * @param fits              whether max heap + expected non-heap fits (always true without a limit)
 * @param fitsWorstCase     whether it fits even at the worst case
 * @param suggestedFlags    flags the JVM applies to the same number, e.g. {@code -Xmx300m} and, where the
 *                          JVM sizes from this limit, {@code -XX:MaxRAMPercentage=58.5}; empty when it fits
 * @param summary           one paragraph in plain words
 */
public record Budget(
        long limitBytes,
        boolean jvmSizesFromLimit,
        long maxHeapBytes,
        List<Item> nonHeap,
        HeapCeiling expected,
        HeapCeiling worstCase,
        boolean fits,
        boolean fitsWorstCase,
        List<String> suggestedFlags,
        String summary) {

    public Budget {
        nonHeap = List.copyOf(nonHeap);
        suggestedFlags = List.copyOf(suggestedFlags);
    }

    /** The expected non-heap in all. */
    public long nonHeapBytes() {
        return expected.nonHeapBytes();
    }

    /** Every reserved size in full, in all. */
    public long worstCaseNonHeapBytes() {
        return worstCase.nonHeapBytes();
    }

    /** max heap + expected non-heap ({@code -1} when the max heap is unknown). */
    public long totalBytes() {
        return maxHeapBytes >= 0 ? maxHeapBytes + nonHeapBytes() : -1;
    }

    /** The largest heap the limit leaves room for with non-heap as expected; {@code -1} without a limit. */
    public long effectiveHeapCeilingBytes() {
        return expected.bytes();
    }

    /**
     * One non-heap component.
     *
     * @param name           e.g. "Code cache"
     * @param bytes          what is expected of it
     * @param worstCaseBytes its reserved size in full (or the bound the JDK enforces)
     * @param estimate       how both were estimated, in words
     */
    public record Item(String name, long bytes, long worstCaseBytes, String estimate) {
    }
}
