package dev.headroom.sense.cgroup;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One located memory cgroup, read live. Obtained from {@link CgroupLocator#locate}; every file path it
 * needs is resolved once there, so {@link #read()} only opens and parses files.
 *
 * <p>{@link #read()} reuses buffers between calls and is synchronised; it is meant for one sampling
 * thread, calling it from several is safe but they queue.
 */
public interface CgroupMemoryReader {

    /** 1 or 2. */
    int version();

    /** The process's cgroup path inside the hierarchy, as {@code /proc/self/cgroup} names it, e.g. {@code /}. */
    String cgroupPath();

    /** The directory read, e.g. {@code <cgroupRoot>/memory/<path>}. */
    Path directory();

    /** Re-reads everything: limits can change at run time (VPA in-place resize, systemctl set-property). */
    CgroupMemory read() throws IOException;

    /**
     * The cgroup's memory usage alone ({@code memory.usage_in_bytes}, {@code memory.current}): one
     * small read, for a tick that only looks whether anything moved. Usage bounds the working set
     * and the unreclaimable memory from above (both are usage less some page cache).
     */
    long usageBytes() throws IOException;

    /**
     * Whether the own cgroup's limit files ({@code memory.limit_in_bytes}; {@code memory.max} and
     * {@code memory.high}) now say something else than at the last {@link #read()}: one or two small
     * reads, for a tick that only looks, so that a limit lowered at run time (an in-place resize)
     * calls a full read at once rather than at the next periodic one. A parent's limit is not looked
     * at here; the periodic full read sees it.
     */
    default boolean ownLimitsChanged() throws IOException {
        return false;
    }

    /**
     * Whether the last {@link #read()} found this process in the cgroup's {@code cgroup.procs}. While it
     * does, the process has not been moved, and {@code /proc/self/cgroup} need not be read to know it.
     */
    default boolean listedSelf() {
        return false;
    }

    /**
     * Closes the interface files kept open between reads (see {@code PseudoFiles}); a later
     * {@link #read()} opens them again. Called when the reader is replaced (the process moved).
     */
    void close();
}
