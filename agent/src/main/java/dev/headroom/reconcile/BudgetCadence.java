package dev.headroom.reconcile;

/**
 * When the measured budget is said: once the service has settled (the warm-up has passed, so
 * start-up's class loading and JIT burst are in the peaks), and again whenever a peak that decides
 * the ceiling (working set, non-heap, heap committed) has grown materially since it was last said:
 * by {@link #MATERIAL_SHARE} of itself and at least {@link #MATERIAL_BYTES}. Small wobbles say
 * nothing; a service that keeps growing says it at most once per 5 % of growth. Pure: the caller
 * gives the time.
 */
public final class BudgetCadence {

    static final double MATERIAL_SHARE = 0.05;
    static final long MATERIAL_BYTES = 4L * 1024 * 1024;

    private final long startMillis;
    private final long warmupMillis;
    private boolean said;
    private long saidWorkingSet;
    private long saidNonHeap;
    private long saidHeap;

    public BudgetCadence(long startMillis, long warmupMillis) {
        this.startMillis = startMillis;
        this.warmupMillis = Math.max(0, warmupMillis);
    }

    /** Whether to say the budget now; when it returns true, the peaks count as said. */
    public boolean due(long nowMillis, SizingPeaks peaks) {
        if (peaks.samples() == 0 || nowMillis - startMillis < warmupMillis) {
            return false;
        }
        boolean due = !said
                || grew(saidWorkingSet, peaks.workingSetPeakBytes())
                || grew(saidNonHeap, peaks.nonHeapPeakBytes())
                || grew(saidHeap, peaks.heapCommittedPeakBytes());
        if (due) {
            said = true;
            saidWorkingSet = peaks.workingSetPeakBytes();
            saidNonHeap = peaks.nonHeapPeakBytes();
            saidHeap = peaks.heapCommittedPeakBytes();
        }
        return due;
    }

    /** Whether the budget was said at least once. */
    public boolean said() {
        return said;
    }

    static boolean grew(long before, long now) {
        long delta = now - Math.max(0, before);
        return delta >= MATERIAL_BYTES && delta >= MATERIAL_SHARE * Math.max(0, before);
    }
}
