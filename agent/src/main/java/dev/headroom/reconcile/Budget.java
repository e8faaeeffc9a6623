package dev.headroom.reconcile;

import java.util.List;

/**
 * Whether the JVM's heap and non-heap, each at its ceiling, fit the memory limit. Made by
 * {@link BudgetCheck} at start-up. Bytes; {@code -1} where unknown or not applicable.
 *
 * @param limitBytes                the memory limit, {@code -1} when there is none
 * @param maxHeapBytes              the heap's ceiling ({@code -Xmx}), {@code -1} unknown
 * @param nonHeap                   the expected non-heap memory by component
 * @param nonHeapBytes              their sum
 * @param totalBytes                max heap + non-heap ({@code -1} when the max heap is unknown)
 * @param fits                      whether the total fits the limit (always true without a limit)
 * @param effectiveHeapCeilingBytes the largest heap the limit leaves room for: limit - non-heap
 *                                  ({@code -1} without a limit; may be zero or negative)
 * @param suggestedFlags            flags that would make it fit, e.g. {@code -Xmx300m} and the equivalent
 *                                  {@code -XX:MaxRAMPercentage=58.5}; empty when it fits or no heap would
 * @param summary                   one line in plain words
 */
public record Budget(
        long limitBytes,
        long maxHeapBytes,
        List<Item> nonHeap,
        long nonHeapBytes,
        long totalBytes,
        boolean fits,
        long effectiveHeapCeilingBytes,
        List<String> suggestedFlags,
        String summary) {

    public Budget {
        nonHeap = List.copyOf(nonHeap);
        suggestedFlags = List.copyOf(suggestedFlags);
    }

    /**
     * One non-heap component.
     *
     * @param name     e.g. "Metaspace"
     * @param bytes    the amount budgeted
     * @param estimate how it was estimated, in words
     */
    public record Item(String name, long bytes, String estimate) {
    }
}
