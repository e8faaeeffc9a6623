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
 * @param workingSetBytes  the cgroup's working set (kubelet formula); without a cgroup, the process RSS
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

    /** The words {@link Sensor} uses when the limit is the {@code limit} option. */
    public static final String LIMIT_OPTION = "limit option";

    /**
     * The memory the kernel cannot reclaim before its OOM killer runs
     * ({@link CgroupMemory#unreclaimableBytes()}): what decides the level, the forecast and the
     * heap ceiling. Without a cgroup, the working set (the process RSS). {@code -1} when unknown.
     */
    public long unreclaimableBytes() {
        return cgroup != null ? cgroup.unreclaimableBytes() : workingSetBytes;
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
