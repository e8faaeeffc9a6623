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

    public boolean hasLimit() {
        return limitBytes > 0;
    }
}
