package dev.headroom.forecast;

import java.util.List;

/**
 * Where the unreclaimable memory is heading ({@link dev.headroom.sense.Snapshot#unreclaimableBytes()}:
 * what the kernel cannot reclaim before its OOM killer runs). Produced from the history by the
 * forecaster; pure data, consumed by the policy and the publishers.
 *
 * @param epochMillis        when (the latest sample's time)
 * @param workingSetBytes    latest working set (kubelet formula), reported beside it
 * @param limitBytes         the limit forecast against ({@code -1}: none, nothing is forecast)
 * @param secondsToLimit     estimated seconds until the unreclaimable memory reaches the limit;
 *                           {@code NaN} when it is not heading there
 * @param confidence         0..1: how much the history supports the estimate (few samples, noisy
 *                           growth, growth the later half of the window does not show, or a reach
 *                           far beyond the data lower it)
 * @param growthBytesPerSecond the robust growth rate of the unreclaimable memory that drives the estimate
 * @param heapCeilingBytes   the heap's real ceiling: min(max heap, limit - everything else)
 * @param growing            the parts that grow, fastest first
 * @param unreclaimableBytes latest unreclaimable memory, the level the estimate starts from
 * @param basisSeconds       the span of the data behind the estimate (the window of its scale)
 * @param ceilingsBytes      max heap plus the unreclaimable memory outside the heap: where the
 *                           container stands once the heap has grown to its max ({@code -1}
 *                           unknown). Above the limit, the heap's own expansion can be a kill: a
 *                           configuration risk, not a leak
 * @param thrashing          whether the page cache is thrashing, and the numbers
 * @param heapExpansion      whether the estimate comes from the heap growing into its own max
 *                           (possible only when {@link #ceilingsExceedLimit()}): a configuration
 *                           risk, not a leak
 */
public record Forecast(
        long epochMillis,
        long workingSetBytes,
        long limitBytes,
        double secondsToLimit,
        double confidence,
        double growthBytesPerSecond,
        long heapCeilingBytes,
        List<Trend> growing,
        long unreclaimableBytes,
        double basisSeconds,
        long ceilingsBytes,
        Thrashing thrashing,
        boolean heapExpansion) {

    public Forecast {
        growing = List.copyOf(growing);
        thrashing = thrashing == null ? Thrashing.NONE : thrashing;
    }

    /** A forecast without the unreclaimable-memory details (fixtures). */
    public Forecast(long epochMillis, long workingSetBytes, long limitBytes, double secondsToLimit, double confidence,
                    double growthBytesPerSecond, long heapCeilingBytes, List<Trend> growing) {
        this(epochMillis, workingSetBytes, limitBytes, secondsToLimit, confidence, growthBytesPerSecond,
                heapCeilingBytes, growing, workingSetBytes, Double.NaN, -1, Thrashing.NONE, false);
    }

    public static Forecast none(long epochMillis, long workingSetBytes, long limitBytes) {
        return new Forecast(epochMillis, workingSetBytes, limitBytes, Double.NaN, 0, 0, -1, List.of());
    }

    /**
     * Whether the parts' ceilings do not fit the limit: once the heap has grown to its max, with
     * the rest as it is, the container would be over its limit. The kill then needs no leak.
     */
    public boolean ceilingsExceedLimit() {
        return ceilingsBytes > 0 && limitBytes > 0 && ceilingsBytes > limitBytes;
    }

    public boolean hasEstimate() {
        return !Double.isNaN(secondsToLimit);
    }

    /** This part's trend among {@link #growing()}, or {@code null} when it does not grow. */
    public Trend trend(String partId) {
        for (int i = 0; i < growing.size(); i++) {
            if (growing.get(i).partId().equals(partId)) {
                return growing.get(i);
            }
        }
        return null;
    }

    /**
     * Seconds until the live heap (its level after GC, trend {@code liveHeap}) reaches the heap's
     * ceiling at its present growth; {@code NaN} when it does not grow or the ceiling is unknown.
     * When the ceiling is max heap rather than the limit, this is when an OutOfMemoryError is due.
     */
    public double secondsToHeapCeiling() {
        Trend live = trend("liveHeap");
        if (live == null || heapCeilingBytes <= 0 || !(live.bytesPerSecond() > 0)) {
            return Double.NaN;
        }
        return Math.max(0, (heapCeilingBytes - live.bytes()) / live.bytesPerSecond());
    }
}
