package dev.headroom.sense.jvm;

import java.util.Set;

/**
 * One JVM memory pool. Bytes; {@code -1} where undefined (e.g. no max).
 *
 * @param usedAfterGc the pool's use right after the last collection ({@code getCollectionUsage}),
 *                    the level that shows live data rather than the GC sawtooth; {@code -1} if none
 * @param peakUsed    the pool's highest use so far ({@code getPeakUsage}), read only for a pool
 *                    {@link #fillsFromTheBottom filled from the bottom}, where it marks how far the
 *                    pool's committed pages have been written; {@code -1} otherwise
 */
public record MemoryPoolUsage(String name, boolean heap, long used, long committed, long max, long usedAfterGc,
                              long peakUsed) {

    /**
     * The heap pools of Serial and Parallel: each is one contiguous space that allocation and
     * promotion fill from its bottom up, so the space's pages are written up to its peak use and
     * the committed pages above it have never been touched (not resident). The JVM records a
     * pool's peak at every collection, when eden is at its fullest. G1, Shenandoah and ZGC place
     * regions anywhere in the heap: their pools' peaks say nothing of which pages were written.
     */
    private static final Set<String> BOTTOM_UP = Set.of("Eden Space", "Survivor Space", "Tenured Gen",
            "PS Eden Space", "PS Survivor Space", "PS Old Gen");

    /** A pool without a peak reading. */
    public MemoryPoolUsage(String name, boolean heap, long used, long committed, long max, long usedAfterGc) {
        this(name, heap, used, committed, max, usedAfterGc, -1);
    }

    /** Whether the pool is one space filled from its bottom, whose peak use bounds its written pages. */
    public static boolean fillsFromTheBottom(String name) {
        return name != null && BOTTOM_UP.contains(name);
    }

    /**
     * Committed bytes of this pool above its peak use: never written, so not resident; {@code -1}
     * when the pool has no peak reading.
     */
    long untouchedBytes() {
        if (peakUsed < 0 || committed < 0 || used < 0) {
            return -1;
        }
        return Math.max(0, committed - Math.max(peakUsed, used));
    }
}
