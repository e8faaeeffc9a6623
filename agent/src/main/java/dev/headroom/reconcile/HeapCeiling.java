package dev.headroom.reconcile;

/**
 * The largest heap a memory limit leaves room for: the limit less the non-heap memory on one basis
 * (expected at start, the reserved sizes in full, or the run's measured peak). Every place that
 * names a heap ceiling (the start line, the {@code budget} events, {@code inspect}, the HTML
 * report, the MBean) says it with {@link #words()}, so the same number never appears under two
 * names or two numbers under one.
 *
 * @param limitBytes   the memory limit, {@code -1} when there is none
 * @param nonHeapBytes everything but the heap on this basis
 * @param basis        {@link #EXPECTED}, {@link #WORST_CASE}, {@link #MEASURED} or {@link #RECOMMENDED}
 */
public record HeapCeiling(long limitBytes, long nonHeapBytes, String basis) {

    /** Today's committed sizes with the JDK's known growth: what the start-up check judges by. */
    public static final String EXPECTED = "expected";
    /** Every reserved size in full. */
    public static final String WORST_CASE = "worst case";
    /** The non-heap parts' peak over the run. */
    public static final String MEASURED = "measured peak";
    /** The measured peak, with the parts a recommendation caps counted at their caps. */
    public static final String RECOMMENDED = "measured peak, capped parts at their caps";

    private static final long MIB = 1024L * 1024;

    /** limit - non-heap; {@code -1} without a limit (it may be zero or negative: no room). */
    public long bytes() {
        return limitBytes > 0 ? limitBytes - nonHeapBytes : -1;
    }

    /**
     * E.g. {@code "heap ceiling 470 MiB (the 512 MiB limit less 42 MiB of non-heap, expected)"}.
     * Whole MiB, the ceiling rounded down and non-heap up, as the {@code -Xmx} flag would be.
     */
    public String words() {
        if (limitBytes <= 0) {
            return "no heap ceiling (no memory limit; " + ceilMib(nonHeapBytes) + " MiB of non-heap, " + basis + ")";
        }
        long ceiling = bytes();
        return (ceiling > 0 ? "heap ceiling " + floorMib(ceiling) + " MiB" : "no room for a heap")
                + " (the " + floorMib(limitBytes) + " MiB limit less " + ceilMib(nonHeapBytes) + " MiB of non-heap, "
                + basis + ")";
    }

    static long floorMib(long bytes) {
        return Math.floorDiv(bytes, MIB);
    }

    static long ceilMib(long bytes) {
        return -Math.floorDiv(-bytes, MIB);
    }
}
