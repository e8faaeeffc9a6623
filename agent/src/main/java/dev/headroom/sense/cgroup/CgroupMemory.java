package dev.headroom.sense.cgroup;

/**
 * What the memory controller of one cgroup says at one moment.
 *
 * <p>Sizes are bytes; {@code -1} means the kernel does not report that value (or, for limits,
 * that there is none).
 *
 * @param version        1 or 2
 * @param cgroupPath     the cgroup's path inside its hierarchy, e.g. {@code /kubepods.slice/...scope}
 * @param limitBytes     the effective hard limit (lowest along the path), {@code -1} when unlimited
 * @param limitSource    where the limit came from, e.g. {@code memory.max} or
 *                       {@code memory.limit_in_bytes of /parent}; {@code null} when unlimited
 * @param highBytes      v2 {@code memory.high} (the throttling line), {@code -1} when not set
 * @param usageBytes     v1 {@code memory.usage_in_bytes}, v2 {@code memory.current}
 * @param swapBytes      swap charged to the cgroup, {@code -1} when unknown
 * @param stat           the parsed {@code memory.stat}
 * @param events         OOM and throttling counters
 * @param pressure       PSI of the cgroup (or of the host), {@code null} when not available
 * @param processCount   processes listed in {@code cgroup.procs}, {@code -1} when unreadable
 */
public record CgroupMemory(
        int version,
        String cgroupPath,
        long limitBytes,
        String limitSource,
        long highBytes,
        long usageBytes,
        long swapBytes,
        MemoryStat stat,
        MemoryEvents events,
        Pressure pressure,
        int processCount) {

    /**
     * The kubelet's and cAdvisor's working set: usage minus inactive file pages, floored at zero.
     * This is the number that decides evictions and what {@code kubectl top} shows.
     */
    public long workingSetBytes() {
        long inactiveFile = Math.max(0, stat.inactiveFile());
        return Math.max(0, usageBytes - inactiveFile);
    }

    /**
     * What the kernel cannot reclaim before its OOM killer runs: the one quantity the share, the
     * forecast and the policy are built on (docs/how-it-works.md, "Unreclaimable memory").
     *
     * <pre>
     *   unreclaimable = usage − (active_file + inactive_file) − slab_reclaimable
     * </pre>
     * Usage is everything charged: the anon LRU (private anon and shmem/tmpfs, which is swap-backed
     * and lives on the anon lists), the file LRU, the unevictable list (mlocked, ramfs, SHM_LOCK)
     * and kernel memory. Of that, reclaim frees file pages on both lists (mapped and executable
     * ones too: vmscan only gives them an extra trip round the active list) and reclaimable slab
     * (dentries, inodes; v2 reports it, v1 does not, so v1 counts all of it).
     *
     * <p>Dirty and writeback pages cannot be dropped at once, but the kernel waits for them rather
     * than kill: memcg reclaim throttles the allocating task on pages under writeback and wakes the
     * flushers (commit e62e384e9da8 "memcg: prevent OOM with too many dirty pages", Linux 3.6; on
     * cgroup v1 the flusher wake-up was restored by "mm/vmscan: Wake up flushers for legacy cgroups
     * too", 4.16). Counted in, they made a healthy writer look 87 % full while its working set was
     * 16 % (measured: 190 MiB of dirty pages under a 256 MiB limit, no kill), so they stay out, and
     * are reported on their own ({@code dirtyBytes}, {@code writebackBytes}).
     *
     * <p>Anon counts even with swap: a container's swap is usually none, and where there is some
     * the kernel swaps before it kills, which only makes this early. Falls back to the working set
     * when {@code memory.stat} lacks the file lists.
     */
    public long unreclaimableBytes() {
        long activeFile = stat.activeFile();
        long inactiveFile = stat.inactiveFile();
        if (usageBytes < 0 || activeFile < 0 || inactiveFile < 0) {
            return workingSetBytes();
        }
        long value = usageBytes - activeFile - inactiveFile - Math.max(0, stat.slabReclaimable());
        return Math.max(0, Math.min(usageBytes, value));
    }

    /**
     * The page cache reclaim can drop at once: clean pages on both file lists ({@code -1} when the
     * lists are not reported). When little of it is left, a charge at the limit means reclaim is
     * struggling (waiting for writeback, or taking pages that are wanted), not routine.
     */
    public long reclaimablePageCacheBytes() {
        if (stat.activeFile() < 0 || stat.inactiveFile() < 0) {
            return -1;
        }
        long fileLru = stat.activeFile() + stat.inactiveFile();
        return Math.max(0, fileLru - Math.max(0, stat.dirty()) - Math.max(0, stat.writeback()));
    }

    public boolean hasLimit() {
        return limitBytes > 0;
    }
}
