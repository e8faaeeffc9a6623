package dev.headroom.forecast;

import java.util.List;

/**
 * Where the working set is heading. Produced from the history of breakdowns by the forecaster;
 * pure data, consumed by the policy and the publishers.
 *
 * @param epochMillis        when (the latest sample's time)
 * @param workingSetBytes    latest working set
 * @param limitBytes         the limit forecast against ({@code -1}: none, nothing is forecast)
 * @param secondsToLimit     estimated seconds until the working set reaches the limit;
 *                           {@code NaN} when it is not heading there
 * @param confidence         0..1: how much the history supports the estimate (few samples, noisy
 *                           growth or a recent spike lower it)
 * @param growthBytesPerSecond the working set's robust growth rate
 * @param heapCeilingBytes   the heap's real ceiling: min(max heap, limit - everything else)
 * @param growing            the parts that grow, fastest first
 */
public record Forecast(
        long epochMillis,
        long workingSetBytes,
        long limitBytes,
        double secondsToLimit,
        double confidence,
        double growthBytesPerSecond,
        long heapCeilingBytes,
        List<Trend> growing) {

    public Forecast {
        growing = List.copyOf(growing);
    }

    public static Forecast none(long epochMillis, long workingSetBytes, long limitBytes) {
        return new Forecast(epochMillis, workingSetBytes, limitBytes, Double.NaN, 0, 0, -1, List.of());
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
