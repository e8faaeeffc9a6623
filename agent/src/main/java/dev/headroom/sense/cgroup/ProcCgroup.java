package dev.headroom.sense.cgroup;

/**
 * One line of {@code /proc/self/cgroup}: {@code hierarchy-ID:controller-list:cgroup-path} (cgroups(7)).
 * The v2 line is {@code 0::/path}.
 *
 * @param hierarchyId  0 for the v2 unified hierarchy
 * @param controllers  comma-separated v1 controllers, e.g. {@code memory} or {@code cpu,cpuacct}; empty on v2
 * @param path         the cgroup path relative to the hierarchy root (or to the cgroup namespace root)
 */
record ProcCgroup(int hierarchyId, String controllers, String path) {

    private static final String DELETED = " (deleted)";

    /** Parses one line; {@code null} when it does not have the shape. */
    static ProcCgroup parse(String line) {
        int first = line.indexOf(':');
        int second = first < 0 ? -1 : line.indexOf(':', first + 1);
        if (first <= 0 || second < 0) {
            return null;
        }
        int id = 0;
        for (int i = 0; i < first; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9' || id > 100_000) {
                return null;
            }
            id = id * 10 + (c - '0');
        }
        // The path is everything after the second colon: it may contain colons itself (JDK-8272124).
        String path = line.substring(second + 1);
        // cgroups(7): a zombie whose cgroup was removed shows the old path with " (deleted)" appended.
        if (path.endsWith(DELETED)) {
            path = path.substring(0, path.length() - DELETED.length());
        }
        if (path.isEmpty() || path.charAt(0) != '/') {
            return null;
        }
        return new ProcCgroup(id, line.substring(first + 1, second), path);
    }

    boolean hasController(String controller) {
        return CgroupLocator.containsWord(controllers, controller, ',');
    }
}
