package dev.headroom.sense.process;

/**
 * This process's resident memory from {@code /proc/self/status} (or {@code smaps_rollup}).
 * Bytes; {@code -1} where unknown.
 *
 * @param rssBytes    VmRSS
 * @param rssAnon     RssAnon: private anonymous pages (heap, stacks, malloc arenas)
 * @param rssFile     RssFile: mapped files, including the JDK's own libraries and the CDS archive
 * @param rssShmem    RssShmem: shared memory, tmpfs mappings
 * @param swapBytes   VmSwap
 * @param vmSizeBytes VmSize (virtual, for reference only)
 * @param threads     Threads
 */
public record ProcessMemory(
        long rssBytes, long rssAnon, long rssFile, long rssShmem, long swapBytes, long vmSizeBytes, int threads) {

    public static final ProcessMemory UNKNOWN = new ProcessMemory(-1, -1, -1, -1, -1, -1, -1);

    /**
     * What of this process's resident memory the kernel cannot drop before it kills: RssAnon and
     * RssShmem (shmem and tmpfs pages are swap-backed, so without swap they stay). RssFile, mapped
     * files such as the JDK's own libraries, is page cache that reclaim can drop and read again.
     * {@code -1} when the split is unknown.
     */
    public long unreclaimableBytes() {
        return rssAnon < 0 ? -1 : rssAnon + Math.max(0, rssShmem);
    }
}
