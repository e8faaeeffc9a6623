package dev.headroom.forecast;

/**
 * Whether the page cache is thrashing: what the kernel cannot reclaim has squeezed the page cache
 * until files the service keeps reading are evicted and read back in (refaults, mm/workingset.c).
 * The service is slowed by the reads, but nothing is about to be killed: reclaim still succeeds,
 * it just throws away pages that are wanted again. Its own state, never a kill warning.
 *
 * @param active                 refaults at least {@link #MIN_REFAULT_BYTES_PER_SECOND} over the
 *                               last {@link #WINDOW_SECONDS}
 * @param refaultBytesPerSecond  file pages read back after eviction, bytes a second over that window
 *                               ({@code NaN} when the kernel does not count refaults)
 * @param pageCacheRoomBytes     the page cache the limit leaves: limit − unreclaimable memory
 *                               ({@code -1} without a limit)
 */
public record Thrashing(boolean active, double refaultBytesPerSecond, long pageCacheRoomBytes) {

    public static final Thrashing NONE = new Thrashing(false, Double.NaN, -1);

    /** The window the refault rate is taken over. */
    static final double WINDOW_SECONDS = 10;

    /**
     * Sustained refaults below this are a cache doing its job at the margin (a few pages evicted
     * a little early); 1 MiB/s is 256 pages read back every second.
     */
    static final double MIN_REFAULT_BYTES_PER_SECOND = 1 << 20;

    /** refault counts are pages; 4 KiB on x86-64 and on the usual arm64 kernels. */
    static final long PAGE_BYTES = 4096;
}
