package dev.headroom.report.html;

import java.util.Arrays;

/**
 * Which samples to draw. A day at 1 s is 86,400 samples for a chart a thousand pixels wide; drawing
 * every one makes a page of tens of megabytes that a browser renders slowly. Min-max bucketing keeps,
 * for each time bucket, the samples with the lowest and the highest working set (plus the first, the
 * last, and every sample where the limit or memory.high changes), so every peak and trough survives
 * and the worst moment is drawn at its true height. All bands are drawn at the same samples, so the
 * stack still adds up to the working set there.
 */
final class Downsample {

    private Downsample() {
    }

    /**
     * @param buckets how many time buckets; at most {@code 2 * buckets + 2} samples plus limit changes
     *                and {@code keep} come back
     * @param keep    a sample that must be drawn (the worst moment), or -1
     * @return indices into the timeline, ascending, without duplicates
     */
    static int[] select(Timeline timeline, int buckets, int keep) {
        int n = timeline.size();
        if (n <= 2 * buckets + 2) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        long t0 = timeline.time(0);
        long span = Math.max(1, timeline.time(n - 1) - t0);
        int[] min = new int[buckets];
        int[] max = new int[buckets];
        Arrays.fill(min, -1);
        Arrays.fill(max, -1);
        int[] extra = new int[16];
        int extras = 0;
        for (int i = 0; i < n; i++) {
            int b = (int) Math.min(buckets - 1, Math.max(0, (timeline.time(i) - t0) * buckets / span));
            long ws = timeline.workingSet(i);
            if (min[b] < 0 || ws < timeline.workingSet(min[b])) {
                min[b] = i;
            }
            if (max[b] < 0 || ws > timeline.workingSet(max[b])) {
                max[b] = i;
            }
            if (i > 0 && (timeline.limit(i) != timeline.limit(i - 1) || timeline.high(i) != timeline.high(i - 1))) {
                // A step in the limit is drawn as a step, not as a slope across a bucket.
                if (extras + 2 > extra.length) {
                    extra = Arrays.copyOf(extra, extra.length * 2);
                }
                extra[extras++] = i - 1;
                extra[extras++] = i;
            }
        }
        int[] out = new int[2 * buckets + 3 + extras];
        int k = 0;
        out[k++] = 0;
        out[k++] = n - 1;
        if (keep >= 0 && keep < n) {
            out[k++] = keep;
        }
        for (int b = 0; b < buckets; b++) {
            if (min[b] >= 0) {
                out[k++] = min[b];
                out[k++] = max[b];
            }
        }
        System.arraycopy(extra, 0, out, k, extras);
        k += extras;
        int[] sorted = Arrays.copyOf(out, k);
        Arrays.sort(sorted);
        int unique = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (unique == 0 || sorted[i] != sorted[unique - 1]) {
                sorted[unique++] = sorted[i];
            }
        }
        return Arrays.copyOf(sorted, unique);
    }
}
