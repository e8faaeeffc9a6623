package dev.headroom.forecast;

/**
 * One coarse time scale of the {@link History}: a bucket per {@code periodMillis}, the last
 * {@code window} buckets kept, and the fits of those buckets recomputed only when a bucket closes,
 * so a tick costs a few comparisons and the pairwise slopes run once a period.
 *
 * <p>A bucket keeps the highest unreclaimable memory and non-heap unreclaimable memory seen in it
 * (the peak is what meets the limit; a noise spike moves one bucket of many, which the robust
 * slope ignores), the highest heap resident, and the lowest live heap (a level after an old
 * collection; the lowest of a bucket is the live set plus the least floating garbage).
 *
 * <p>Not thread-safe: owned by the history, owned by the agent's one thread.
 */
final class Scale {

    /** 10 s for 10 minutes, 1 min for an hour, 10 min for 12 hours, 1 h for 3 days. */
    static Scale[] defaults() {
        return new Scale[] {new Scale(10_000, 60), new Scale(60_000, 60), new Scale(600_000, 72),
                new Scale(3_600_000, 72)};
    }

    /** The largest window of {@link #defaults()}, for the shared scratch. */
    static final int MAX_WINDOW = 72;

    final long periodMillis;
    final int window;

    private final double[] time;
    private final long[] unreclaimableMax;
    private final long[] restMax;
    private final long[] heapResidentMax;
    private final long[] liveMin;
    private int start;
    private int size;

    private long bucketStart = -1;
    private long bucketFirst;
    private long bucketLast;
    private long openUnreclaimable;
    private long openRest;
    private long openHeapResident;
    private long openLive;

    /** The fits as of the last closed bucket; {@code null} before the first. */
    Fit rest;
    Fit heapResident;
    Fit live;

    Scale(long periodMillis, int window) {
        this.periodMillis = periodMillis;
        this.window = window;
        time = new double[window];
        unreclaimableMax = new long[window];
        restMax = new long[window];
        heapResidentMax = new long[window];
        liveMin = new long[window];
    }

    /** Whether a bucket closed with this sample (its fits are then stale until {@link #refit}). */
    boolean add(long t, long unreclaimable, long rest, long heapResident, long live) {
        boolean closed = false;
        if (bucketStart >= 0 && t >= bucketStart + periodMillis) {
            close();
            closed = true;
        }
        if (bucketStart < 0) {
            bucketStart = t - Math.floorMod(t, periodMillis);
            bucketFirst = t;
            openUnreclaimable = -1;
            openRest = Long.MIN_VALUE;
            openHeapResident = -1;
            openLive = -1;
        }
        bucketLast = t;
        openUnreclaimable = Math.max(openUnreclaimable, unreclaimable);
        openRest = Math.max(openRest, rest);
        openHeapResident = Math.max(openHeapResident, heapResident);
        if (live >= 0) {
            openLive = openLive < 0 ? live : Math.min(openLive, live);
        }
        return closed;
    }

    private void close() {
        int i;
        if (size < window) {
            i = (start + size) % window;
            size++;
        } else {
            i = start;
            start = (start + 1) % window;
        }
        // The bucket's time is the middle of the samples it holds, in seconds.
        time[i] = (bucketFirst + bucketLast) / 2000.0;
        unreclaimableMax[i] = openUnreclaimable;
        restMax[i] = openRest;
        heapResidentMax[i] = openHeapResident;
        liveMin[i] = openLive;
        bucketStart = -1;
    }

    /** Recomputes the fits over the kept buckets (after a bucket closed). */
    void refit(double[] t, double[] y, double[] pairs) {
        rest = fit(restMax, t, y, pairs);
        heapResident = fit(heapResidentMax, t, y, pairs);
        live = fit(liveMin, t, y, pairs);
    }

    private Fit fit(long[] column, double[] t, double[] y, double[] pairs) {
        int n = 0;
        double latest = time[(start + size - 1) % window];
        for (int k = 0; k < size; k++) {
            int i = (start + k) % window;
            long v = column[i];
            if (v == Long.MIN_VALUE || (column != restMax && v < 0)) {
                continue;
            }
            t[n] = time[i] - latest;
            y[n] = v;
            n++;
        }
        return Fit.of(t, y, n, pairs, true);
    }

    /** Buckets kept so far. */
    int size() {
        return size;
    }

    void clear() {
        size = 0;
        start = 0;
        bucketStart = -1;
        rest = null;
        heapResident = null;
        live = null;
    }
}
