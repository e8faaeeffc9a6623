package dev.headroom.sense.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finds this process's memory cgroup the way the kubelet and the JDK do: the memory controller's mount
 * from {@code /proc/self/mountinfo}, the process's place in it from {@code /proc/self/cgroup}.
 *
 * <ul>
 *   <li>v1: a {@code cgroup} mount whose super options list {@code memory}. It wins whenever present, which
 *       also covers systemd's hybrid layout (v1 controllers plus an empty cgroup2 at
 *       {@code /sys/fs/cgroup/unified}).</li>
 *   <li>v2: a {@code cgroup2} mount, used only where {@code cgroup.controllers} lists {@code memory}.</li>
 * </ul>
 * Runs once at start-up; the readers it returns do the per-tick work.
 */
public final class CgroupLocator {

    private static final String SYS_FS_CGROUP = "/sys/fs/cgroup";

    private CgroupLocator() {
    }

    /**
     * @param procRoot        usually {@code /proc}: reads {@code procRoot/self/mountinfo} and {@code procRoot/self/cgroup}
     * @param cgroupRoot      usually {@code /sys/fs/cgroup}: mount points under {@code /sys/fs/cgroup} are re-based
     *                        onto it, so fixture trees work
     * @param hostMemoryBytes physical memory, {@code -1} when unknown; a limit at or above it counts as unlimited
     * @return the reader, empty when there is no memory cgroup at all (laptop, VM without cgroupfs), and notes
     * @throws IOException only when the proc files cannot be read; malformed lines are skipped
     */
    public static Located locate(Path procRoot, Path cgroupRoot, long hostMemoryBytes) throws IOException {
        List<String> notes = new ArrayList<>();
        List<Mount> mounts = readMounts(procRoot.resolve("self/mountinfo"), notes);
        List<ProcCgroup> memberships = readMemberships(procRoot.resolve("self/cgroup"), notes);

        List<Mount> v1Mounts = new ArrayList<>();
        List<Mount> v2Mounts = new ArrayList<>();
        for (Mount mount : mounts) {
            if (mount.fsType().equals("cgroup") && mount.hasSuperOption("memory")) {
                v1Mounts.add(mount);
            } else if (mount.fsType().equals("cgroup2")) {
                v2Mounts.add(mount);
            }
        }
        ProcCgroup v1Line = null;
        ProcCgroup v2Line = null;
        for (ProcCgroup membership : memberships) {
            if (membership.hierarchyId() == 0 && membership.controllers().isEmpty()) {
                v2Line = v2Line == null ? membership : v2Line;
            } else if (membership.hasController("memory")) {
                v1Line = v1Line == null ? membership : v1Line;
            }
        }

        if (!v1Mounts.isEmpty()) {
            if (!v2Mounts.isEmpty()) {
                notes.add("hybrid host: memory controller on v1; cgroup2 at " + v2Mounts.get(0).mountPoint()
                        + " is not used for memory");
            }
            if (v1Line != null) {
                List<Candidate> ranked = rank(v1Mounts, v1Line.path(), cgroupRoot, notes);
                if (ranked.isEmpty()) {
                    return none(notes);
                }
                if (ranked.size() > 1) {
                    notes.add(ranked.size() + " cgroup v1 memory mounts; using " + ranked.get(0).mount.mountPoint()
                            + " (root " + ranked.get(0).mount.root() + ")");
                }
                Placement placement = place(ranked.get(0), v1Line.path(), notes);
                if (!hasFile(placement, "memory.usage_in_bytes", notes)) {
                    return none(notes);
                }
                notes.add("cgroup v1 memory controller: " + v1Line.path() + " at " + placement.directory());
                return new Located(Optional.of(new V1MemoryReader(placement, procRoot, hostMemoryBytes)), notes);
            }
            notes.add("memory controller is mounted as cgroup v1 but /proc/self/cgroup has no memory line");
        }

        if (!v2Mounts.isEmpty()) {
            if (v2Line == null) {
                notes.add("cgroup2 is mounted but /proc/self/cgroup has no 0:: line");
                return none(notes);
            }
            for (Candidate candidate : rank(v2Mounts, v2Line.path(), cgroupRoot, notes)) {
                List<String> attempt = new ArrayList<>();
                Placement placement = place(candidate, v2Line.path(), attempt);
                // A controller is usable in a cgroup only when its parent enabled it in cgroup.subtree_control,
                // which is what the cgroup's own cgroup.controllers lists.
                if (!hasController(placement.directory(), "memory")
                        && !hasController(placement.levels().get(placement.levels().size() - 1), "memory")) {
                    notes.add("cgroup2 at " + candidate.mount.mountPoint() + ": memory controller not enabled");
                    continue;
                }
                notes.addAll(attempt);
                if (!hasFile(placement, "memory.current", notes)) {
                    return none(notes);
                }
                notes.add("cgroup v2 memory controller: " + v2Line.path() + " at " + placement.directory());
                return new Located(Optional.of(new V2MemoryReader(placement, procRoot, hostMemoryBytes)), notes);
            }
            return none(notes);
        }
        if (v1Mounts.isEmpty()) {
            notes.add("no cgroup filesystem with a memory controller is mounted");
        }
        return none(notes);
    }

    /** A mount considered for the process's cgroup path. */
    private record Candidate(Mount mount, Path mountPoint, String relative, Path directory, boolean exists) {

        boolean containsPath() {
            return relative != null;
        }

        boolean underSysFsCgroup() {
            return mount.mountPoint().equals(SYS_FS_CGROUP) || mount.mountPoint().startsWith(SYS_FS_CGROUP + "/");
        }
    }

    /**
     * Orders the mounts of one controller, best first. Duplicate mounts happen (a second cgroupfs mounted by
     * hand or by a sidecar, JDK-8293472 / JDK-8293540): prefer one where the process's directory exists, then
     * one whose root contains the process's path, then the one under /sys/fs/cgroup, then the deepest root.
     */
    private static List<Candidate> rank(List<Mount> mounts, String cgroupPath, Path cgroupRoot, List<String> notes) {
        List<Candidate> candidates = new ArrayList<>();
        for (Mount mount : mounts) {
            try {
                Path mountPoint = rebase(mount.mountPoint(), cgroupRoot);
                int above = levelsAboveNamespace(mount.root());
                String relative = above >= 0 ? belowNamespaceRoot(mountPoint, above, cgroupPath, notes)
                        : relativeToRoot(mount.root(), cgroupPath);
                Path directory = relative == null ? null : resolveInside(mountPoint, relative);
                if (directory == null) {
                    relative = null;
                }
                candidates.add(new Candidate(mount, mountPoint, relative, directory,
                        directory != null && Files.isDirectory(directory)));
            } catch (InvalidPathException e) {
                notes.add("skipped mount at mountinfo line " + mount.line() + ": unusable path (" + e.getReason() + ")");
            }
        }
        candidates.sort(Comparator.comparing((Candidate c) -> !c.exists())
                .thenComparing(c -> !c.containsPath())
                .thenComparing(c -> !c.underSysFsCgroup())
                .thenComparing(c -> -c.mount().root().length())
                .thenComparingInt(c -> c.mount().line()));
        return candidates;
    }

    /**
     * Maps the process onto the chosen mount. The mount's root is {@code /} in the host's view (the whole
     * hierarchy: the process is at mountPoint + path) and the container's own cgroup in a private cgroup
     * namespace or a bind mount (the path then equals the root, or lies below it). Where the computed
     * directory does not exist, the cgroupfs was bind-mounted from the container's cgroup while
     * /proc/self/cgroup still shows the host's path (JDK-8286212): the mount point is then the cgroup.
     */
    private static Placement place(Candidate candidate, String cgroupPath, List<String> notes) {
        Path mountPoint = candidate.mountPoint();
        if (!candidate.exists()) {
            if (candidate.containsPath()) {
                notes.add("cgroup " + cgroupPath + " would be at " + candidate.directory()
                        + ", which does not exist; reading the mount point " + mountPoint + " instead");
            } else {
                notes.add("cgroup " + cgroupPath + " is not below mount root " + candidate.mount().root() + " of "
                        + mountPoint + "; reading the mount point instead");
            }
            return new Placement(cgroupPath, mountPoint, candidate.mount(), List.of(mountPoint), List.of(cgroupPath));
        }
        List<Path> levels = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        // Under a mount made outside the process's cgroup namespace the levels are named as the mount
        // shows them (the host's view), not with the "/.." root.
        String root = levelsAboveNamespace(candidate.mount().root()) >= 0 ? "/" : candidate.mount().root();
        for (Path level = candidate.directory(); level != null && level.startsWith(mountPoint);
                level = level.getParent()) {
            levels.add(level);
            labels.add(join(root, mountPoint.relativize(level).toString()));
            if (level.equals(mountPoint)) {
                break;
            }
        }
        return new Placement(cgroupPath, candidate.directory(), candidate.mount(), List.copyOf(levels),
                List.copyOf(labels));
    }

    /** The path relative to the mount root ({@code ""} when equal), {@code null} when not below it. */
    static String relativeToRoot(String root, String cgroupPath) {
        // A process at the root of a private cgroup namespace sees its own cgroup as "/"; the mount made for
        // it (its /sys/fs/cgroup) shows that same cgroup at the mount point, whatever root mountinfo prints.
        if (cgroupPath.equals("/")) {
            return "";
        }
        if (root.equals("/")) {
            return cgroupPath.substring(1);
        }
        if (cgroupPath.equals(root)) {
            return "";
        }
        if (cgroupPath.startsWith(root) && cgroupPath.charAt(root.length()) == '/') {
            return cgroupPath.substring(root.length() + 1);
        }
        return null;
    }

    /**
     * How many levels the mount's root lies above the process's cgroup namespace: mountinfo prints a
     * cgroup mount's root relative to the reader's namespace root, one {@code /..} per level
     * (kernel/cgroup/cgroup.c cgroup_show_path), e.g. {@code /../../../..} for the host's /sys/fs/cgroup
     * seen from a container's namespace. {@code -1} when the root is not only such levels.
     */
    static int levelsAboveNamespace(String root) {
        if (!root.startsWith("/..")) {
            return -1;
        }
        String[] parts = root.substring(1).split("/");
        for (String part : parts) {
            if (!part.equals("..")) {
                return -1;
            }
        }
        return parts.length;
    }

    /** More directories than this at the namespace's depth and the search gives up (a note says so). */
    static final int NAMESPACE_SEARCH_LIMIT = 20_000;

    /**
     * The process's directory, relative to the mount point, when it reads a cgroup2 mount made outside
     * its private cgroup namespace ({@code unshare --cgroup} without a new mount, a container given the
     * host's /sys/fs/cgroup): {@code /proc/self/cgroup} names the path below the namespace's root, and
     * that root is some cgroup {@code levels} below the mount point, whose name nothing in /proc tells.
     * The one whose directory lists this process in {@code cgroup.procs} is it. Measured on a 6.1 kernel:
     * without this the mount point itself (the host's root cgroup) was read, and no limit was found.
     * Searched once, at locate time. {@code null} when not found.
     */
    private static String belowNamespaceRoot(Path mountPoint, int levels, String cgroupPath, List<String> notes) {
        String below = cgroupPath.equals("/") ? "" : cgroupPath.substring(1);
        List<Path> level = List.of(mountPoint);
        try {
            for (int i = 0; i < levels; i++) {
                List<Path> next = new ArrayList<>();
                for (Path dir : level) {
                    try (var children = Files.newDirectoryStream(dir, Files::isDirectory)) {
                        for (Path child : children) {
                            next.add(child);
                        }
                    }
                    if (next.size() > NAMESPACE_SEARCH_LIMIT) {
                        notes.add("cgroup namespace below " + mountPoint + ": more than " + NAMESPACE_SEARCH_LIMIT
                                + " cgroups to search; not searched");
                        return null;
                    }
                }
                level = next;
            }
            for (Path namespaceRoot : level) {
                Path dir = below.isEmpty() ? namespaceRoot : namespaceRoot.resolve(below).normalize();
                if (dir.startsWith(namespaceRoot) && listsSelf(dir.resolve("cgroup.procs"))) {
                    String relative = mountPoint.relativize(dir).toString();
                    notes.add("private cgroup namespace under a mount made outside it (root " + levels
                            + " levels up): this process is at /" + relative + " of " + mountPoint);
                    return relative;
                }
            }
        } catch (IOException | RuntimeException e) {
            notes.add("cgroup namespace below " + mountPoint + ": search failed: " + e);
            return null;
        }
        notes.add("private cgroup namespace under a mount made outside it: no cgroup " + levels
                + " levels below " + mountPoint + " lists this process");
        return null;
    }

    private static boolean listsSelf(Path procs) {
        try {
            String self = Long.toString(InterfaceFiles.SELF_PID);
            return Files.readAllLines(procs, StandardCharsets.ISO_8859_1).stream().anyMatch(self::equals);
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code mountPoint/relative}, or {@code null} if {@code ..} would leave the mount (namespaced paths). */
    private static Path resolveInside(Path mountPoint, String relative) {
        if (relative.isEmpty()) {
            return mountPoint;
        }
        Path resolved = mountPoint.resolve(relative).normalize();
        return resolved.startsWith(mountPoint) ? resolved : null;
    }

    private static Path rebase(String mountPoint, Path cgroupRoot) {
        if (mountPoint.equals(SYS_FS_CGROUP)) {
            return cgroupRoot;
        }
        if (mountPoint.startsWith(SYS_FS_CGROUP + "/")) {
            return cgroupRoot.resolve(mountPoint.substring(SYS_FS_CGROUP.length() + 1));
        }
        return Path.of(mountPoint);
    }

    private static String join(String root, String relative) {
        if (relative.isEmpty()) {
            return root;
        }
        return root.endsWith("/") ? root + relative : root + "/" + relative;
    }

    private static boolean hasFile(Placement placement, String file, List<String> notes) {
        if (Files.isRegularFile(placement.directory().resolve(file))) {
            return true;
        }
        notes.add("no " + file + " in " + placement.directory() + "; not reading this cgroup");
        return false;
    }

    private static boolean hasController(Path directory, String controller) {
        try {
            String controllers = Files.readString(directory.resolve("cgroup.controllers"), StandardCharsets.ISO_8859_1);
            return containsWord(controllers.strip(), controller, ' ');
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Mount> readMounts(Path file, List<String> notes) throws IOException {
        List<Mount> mounts = new ArrayList<>();
        List<String> lines = readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            Mount mount = Mount.parse(lines.get(i), i + 1);
            if (mount == null) {
                notes.add("skipped malformed mountinfo line " + (i + 1));
            } else {
                mounts.add(mount);
            }
        }
        return mounts;
    }

    private static List<ProcCgroup> readMemberships(Path file, List<String> notes) throws IOException {
        List<ProcCgroup> memberships = new ArrayList<>();
        List<String> lines = readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            ProcCgroup membership = ProcCgroup.parse(lines.get(i));
            if (membership == null) {
                notes.add("skipped malformed /proc/self/cgroup line " + (i + 1));
            } else {
                memberships.add(membership);
            }
        }
        return memberships;
    }

    /** Lines of a proc file; bytes that are not UTF-8 become U+FFFD rather than failing the whole file. */
    private static List<String> readLines(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            lines.add(text.substring(start, end));
            start = end + 1;
        }
        return lines;
    }

    /** Whether {@code list} (words separated by {@code separator}) contains {@code word} as a whole word. */
    static boolean containsWord(String list, String word, char separator) {
        int from = 0;
        while (from <= list.length()) {
            int end = list.indexOf(separator, from);
            if (end < 0) {
                end = list.length();
            }
            if (end - from == word.length() && list.startsWith(word, from)) {
                return true;
            }
            from = end + 1;
        }
        return false;
    }

    private static Located none(List<String> notes) {
        return new Located(Optional.empty(), notes);
    }
}
