package dev.headroom.sense;

import dev.headroom.sense.cgroup.CgroupMemory;
import dev.headroom.sense.jvm.JvmMemory;
import dev.headroom.sense.process.ProcessMemory;

/**
 * Everything sensed in one tick: the container, the process and the JVM. Immutable; the one
 * record handed from sense to reconcile.
 *
 * @param epochMillis      when it was taken
 * @param cgroup           the memory cgroup, {@code null} when the process has none (laptop, VM)
 * @param limitBytes       the effective limit: the cgroup's, else the {@code limit} option, else
 *                         host memory; {@code -1} when none is known
 * @param limitSource      where {@code limitBytes} came from, in words
 * @param workingSetBytes  the cgroup's working set (kubelet formula) when the cgroup's limit is the
 *                         limit; otherwise ({@link #watchesProcess()}) this process's own RSS
 * @param hostMemoryBytes  physical memory of the host, {@code -1} when unknown
 */
public record Snapshot(
        long epochMillis,
        CgroupMemory cgroup,
        long limitBytes,
        String limitSource,
        long workingSetBytes,
        long hostMemoryBytes,
        ProcessMemory process,
        JvmMemory jvm) {

    /**
     * The same readings at another time: what a quick tick adds to the history (the last full
     * sample carried forward, since usage has moved less than the cadence's step since it).
     */
    public Snapshot at(long epochMillis) {
        return new Snapshot(epochMillis, cgroup, limitBytes, limitSource, workingSetBytes, hostMemoryBytes, process, jvm);
    }

    /** The words {@link Sensor} uses when the limit is the {@code limit} option. */
    public static final String LIMIT_OPTION = "limit option";

    /**
     * Whether the watched memory is this process's own rather than its cgroup's: when the limit is
     * not the cgroup's (the {@code limit} option, or host memory, on a laptop, a VM, a CI runner,
     * where every process still sits in some unlimited cgroup). The cgroup then holds whatever else
     * runs beside the JVM (a build, a desktop), which this limit was never meant for; the process's
     * RSS is what its limit bounds, and what the host's OOM killer weighs (mm/oom_kill.c
     * oom_badness: RSS, swap and page tables of the process).
     */
    public boolean watchesProcess() {
        return cgroup == null || !cgroup.hasLimit();
    }

    /**
     * The memory the kernel cannot reclaim before it kills: for the process, its anonymous and
     * shared memory ({@link ProcessMemory#unreclaimableBytes()}), its mapped files beside it; for
     * the cgroup, the working set without the active page cache. {@code -1} when unknown.
     */
    public long unreclaimableBytes() {
        if (watchesProcess()) {
            long own = process == null ? -1 : process.unreclaimableBytes();
            return own >= 0 ? own : workingSetBytes;
        }
        return cgroup.unreclaimableBytes();
    }

    /**
     * What is left before the OOM kill: the limit less the unreclaimable memory; {@code -1} when
     * no limit is set (host memory is no limit).
     */
    public long headroomBytes() {
        long u = unreclaimableBytes();
        return limited() && u >= 0 ? limitBytes - u : -1;
    }

    /**
     * Whether a real limit is known: the cgroup's or the {@code limit} option. When this is false,
     * {@code limitBytes} is host memory (or -1), a bound but not a limit anyone set.
     */
    public boolean limited() {
        return limitBytes > 0 && ((cgroup != null && cgroup.hasLimit()) || LIMIT_OPTION.equals(limitSource));
    }
}
