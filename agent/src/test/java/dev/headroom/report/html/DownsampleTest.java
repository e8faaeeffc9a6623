package dev.headroom.report.html;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DownsampleTest {

    private static Timeline noisy(int n, long seed) {
        Timeline tl = new Timeline();
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            tl.add(1_000_000L + i * 1000L, 100_000_000L + r.nextInt(50_000_000), 512L << 20, -1, Timeline.OK);
        }
        return tl;
    }

    @Test
    void smallTimelineIsDrawnWhole() {
        Timeline tl = noisy(50, 1);
        int[] all = new int[50];
        Arrays.setAll(all, i -> i);
        assertArrayEquals(all, Downsample.select(tl, 100, -1));
    }

    @Test
    void everyBucketsHighestAndLowestSampleIsKept() {
        int n = 86_400;
        int buckets = 500;
        Timeline tl = noisy(n, 2);
        int[] drawn = Downsample.select(tl, buckets, -1);
        assertTrue(drawn.length <= 2 * buckets + 3, drawn.length + " samples drawn");
        long span = tl.time(n - 1) - tl.time(0);
        for (int b = 0; b < buckets; b++) {
            int max = -1;
            int min = -1;
            for (int i = 0; i < n; i++) {
                int bucket = (int) Math.min(buckets - 1, (tl.time(i) - tl.time(0)) * buckets / span);
                if (bucket != b) {
                    continue;
                }
                if (max < 0 || tl.workingSet(i) > tl.workingSet(max)) {
                    max = i;
                }
                if (min < 0 || tl.workingSet(i) < tl.workingSet(min)) {
                    min = i;
                }
            }
            assertTrue(Arrays.binarySearch(drawn, max) >= 0, "bucket " + b + "'s highest sample " + max);
            assertTrue(Arrays.binarySearch(drawn, min) >= 0, "bucket " + b + "'s lowest sample " + min);
        }
        assertTrue(drawn[0] == 0 && drawn[drawn.length - 1] == n - 1, "first and last kept");
        for (int i = 1; i < drawn.length; i++) {
            assertTrue(drawn[i] > drawn[i - 1], "ascending without duplicates");
        }
    }

    @Test
    void theWorstMomentAndLimitChangesAreKept() {
        Timeline tl = new Timeline();
        for (int i = 0; i < 10_000; i++) {
            long limit = i < 6_001 ? 512L << 20 : 1024L << 20;
            tl.add(i * 1000L, 100L << 20, limit, -1, Timeline.OK);
        }
        int[] drawn = Downsample.select(tl, 50, 4_321);
        assertTrue(Arrays.binarySearch(drawn, 4_321) >= 0, "the index asked for");
        assertTrue(Arrays.binarySearch(drawn, 6_000) >= 0 && Arrays.binarySearch(drawn, 6_001) >= 0,
                "both sides of the limit's step");
    }
}
