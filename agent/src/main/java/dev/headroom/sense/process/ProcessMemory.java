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
}
