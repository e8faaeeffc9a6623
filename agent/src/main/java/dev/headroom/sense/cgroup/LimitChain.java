package dev.headroom.sense.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One limit file ({@code memory.max}, {@code memory.high}, {@code memory.limit_in_bytes}) at every level
 * from the process's cgroup up to the top of what the mount shows. A limit set only on a parent (a pod
 * slice, a systemd slice) binds the child just the same, so the effective limit is the lowest along
 * the path (JDK-8322420). The levels are resolved once at locate time; the values are re-read each tick.
 */
final class LimitChain {

    /**
     * v1 prints "no limit" as LONG_MAX rounded down to a page: 9223372036854771712 with 4 KiB pages,
     * 9223372036854710272 with 64 KiB pages (arm64). Anything from here up is "no limit".
     */
    static final long V1_UNLIMITED_FLOOR = 0x7FFF_FFFF_FFFF_0000L;

    private final Path[] files;
    private final String[] sources;
    private int lowestLevel = -1;
    // What lowestWhenChanged last read: the first level's raw value, the hint, and the result.
    private long lastFirst = Long.MIN_VALUE;
    private long lastHint = Long.MIN_VALUE;
    private long lastLowest = -1;
    private int lastLowestLevel = -1;
    // The first level's raw value as the last full read saw it, for firstChanged.
    private long firstSeen = Long.MIN_VALUE;

    private LimitChain(Path[] files, String[] sources) {
        this.files = files;
        this.sources = sources;
    }

    /**
     * @param levels      directories from the process's cgroup (first) up to the mount point (last)
     * @param labels      the cgroup path of each level, for {@link #source()}
     * @param fileName    the limit file to read at each level; levels without it (the v2 root) are left out
     */
    static LimitChain of(List<Path> levels, List<String> labels, String fileName) {
        List<Path> files = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < levels.size(); i++) {
            Path file = levels.get(i).resolve(fileName);
            if (Files.isRegularFile(file)) {
                files.add(file);
                sources.add(fileName + " of " + labels.get(i));
            }
        }
        return new LimitChain(files.toArray(new Path[0]), sources.toArray(new String[0]));
    }

    int levels() {
        return files.length;
    }

    /**
     * Reads every level and returns the lowest effective limit, {@code -1} when no level has one.
     * {@link #source()} then names the level it came from (the deepest one on a tie).
     */
    long lowest(InterfaceFiles io, long hostMemoryBytes) throws IOException {
        long lowest = -1;
        lowestLevel = -1;
        for (int i = 0; i < files.length; i++) {
            long raw = io.readSingleValue(files[i]);
            if (i == 0) {
                firstSeen = raw;
            }
            long limit = effective(raw, hostMemoryBytes);
            if (limit >= 0 && (lowest < 0 || limit < lowest)) {
                lowest = limit;
                lowestLevel = i;
            }
        }
        return lowest;
    }

    /**
     * The same as {@link #lowest}, reading only the first level when neither its value nor
     * {@code hint} changed since the last full read: for v1, where {@code hint} is
     * {@code hierarchical_memory_limit}, which already reflects every ancestor's limit. A negative
     * hint (unknown) reads every level.
     */
    long lowestWhenChanged(InterfaceFiles io, long hostMemoryBytes, long hint) throws IOException {
        if (files.length <= 1 || hint < 0) {
            return lowest(io, hostMemoryBytes);
        }
        long first = io.readSingleValue(files[0]);
        firstSeen = first;
        if (first != lastFirst || hint != lastHint) {
            lastLowest = lowest(io, hostMemoryBytes);
            lastLowestLevel = lowestLevel;
            lastFirst = first;
            lastHint = hint;
        }
        lowestLevel = lastLowestLevel;
        return lastLowest;
    }

    /**
     * Whether the first level's file (the process's own cgroup, where a container's limit is set and
     * where an in-place resize changes it) now says something else than at the last full read: one
     * small read, for a tick that only looks. {@code false} without a file at that level.
     */
    boolean firstChanged(InterfaceFiles io) throws IOException {
        return files.length > 0 && firstSeen != Long.MIN_VALUE && io.readSingleValue(files[0]) != firstSeen;
    }

    /** Where the last {@link #lowest} came from, {@code null} when it found no limit. */
    String source() {
        return lowestLevel < 0 ? null : sources[lowestLevel];
    }

    /**
     * A raw limit as a limit: {@code -1} for "max", v1's page-rounded LONG_MAX, unreadable content, or
     * anything at or above host memory (a limit the host cannot reach never binds; the JDK does the same).
     */
    static long effective(long raw, long hostMemoryBytes) {
        if (raw < 0 || raw >= V1_UNLIMITED_FLOOR) {
            return -1;
        }
        if (hostMemoryBytes > 0 && raw >= hostMemoryBytes) {
            return -1;
        }
        return raw;
    }
}
