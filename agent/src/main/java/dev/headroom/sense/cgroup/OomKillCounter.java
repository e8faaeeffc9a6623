package dev.headroom.sense.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's count of OOM kills in a cgroup that outlives this process, so that the next start can
 * tell whether this run was OOM-killed: exit 137 alone does not say (any SIGKILL gives it).
 *
 * <ul>
 *   <li>v2: {@code oom_kill} of the parent's {@code memory.events} (hierarchical, so it counts kills in
 *       every child). In Kubernetes the parent is the pod's slice, which stays while the container's own
 *       cgroup is replaced at a restart. Where the parent is out of sight (a private cgroup namespace whose
 *       mount shows only the container) or is the root (which has no memory.events), the own cgroup's.</li>
 *   <li>v1: {@code oom_kill} of the own cgroup's {@code memory.oom_control} (4.13+): it tells only when
 *       the next run starts in the same, still living cgroup (a process restarted inside its container).</li>
 * </ul>
 * The directory's inode number (the kernel's cgroup id, never reused while the system runs) says whether
 * the next run reads the same cgroup, not a new one at the same path with counters from zero.
 *
 * @param file     the counter file
 * @param cgroupId the inode number of its directory, {@code -1} when unknown
 */
public record OomKillCounter(Path file, long cgroupId) {

    /** The counter for the cgroup this reader reads; {@code null} when it has none. */
    public static OomKillCounter of(CgroupMemoryReader reader) {
        Path dir = reader.directory();
        if (reader.version() == 2) {
            Path parent = dir.getParent();
            if (parent != null && Files.isRegularFile(parent.resolve("memory.events"))
                    && Files.isRegularFile(parent.resolve("cgroup.procs"))) {
                return at(parent.resolve("memory.events"));
            }
            return Files.isRegularFile(dir.resolve("memory.events")) ? at(dir.resolve("memory.events")) : null;
        }
        return Files.isRegularFile(dir.resolve("memory.oom_control")) ? at(dir.resolve("memory.oom_control")) : null;
    }

    static OomKillCounter at(Path file) {
        return new OomKillCounter(file, inode(file.getParent()));
    }

    /** The count now, {@code -1} when unreadable or absent (v1 before 4.13). Never throws. */
    public long read() {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("oom_kill ")) {
                    return Long.parseLong(line.substring("oom_kill ".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** The inode number of a directory, {@code -1} when the file system does not say. */
    public static long inode(Path dir) {
        try {
            Object ino = Files.getAttribute(dir, "unix:ino");
            return ino instanceof Long l ? l : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
