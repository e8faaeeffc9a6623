package dev.headroom.act;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which file system a directory lives on, from {@code /proc/self/mountinfo} (proc(5): "mountinfo"
 * fields: id, parent, major:minor, root, mount point, options, optional fields, "-", fstype, source,
 * super options).
 */
final class MountTable {

    private MountTable() {
    }

    /**
     * File systems whose pages are memory: writing a heap dump there is charged to the same memory
     * cgroup (tmpfs/shmem pages count in memory.current, cgroup-v2.rst "Memory Ownership") and would
     * itself bring on the OOM kill we are trying to explain.
     */
    static boolean memoryBacked(String fsType) {
        return "tmpfs".equals(fsType) || "ramfs".equals(fsType) || "hugetlbfs".equals(fsType)
                || "devtmpfs".equals(fsType);
    }

    /**
     * The type of the file system {@code dir} is on: the mount with the longest mount point that
     * contains it; among equal mount points the later line, since a later mount stacks on top.
     *
     * @param dir an absolute, real path (symbolic links resolved)
     * @return the type, or {@code null} when no line matches or the content is malformed
     */
    static String fileSystemType(Path mountinfo, Path dir) throws IOException {
        String target = dir.toString();
        String best = null;
        int bestLength = -1;
        try (BufferedReader in = Files.newBufferedReader(mountinfo, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                String mountPoint = field(line, 4);
                int dash = line.indexOf(" - ");
                if (mountPoint == null || dash < 0) {
                    continue;
                }
                String fsType = field(line.substring(dash + 3), 0);
                if (fsType == null) {
                    continue;
                }
                mountPoint = unescape(mountPoint);
                if (contains(mountPoint, target) && mountPoint.length() >= bestLength) {
                    best = fsType;
                    bestLength = mountPoint.length();
                }
            }
        }
        return best;
    }

    /** Whether {@code path} is {@code mountPoint} or below it, at a path-component boundary. */
    static boolean contains(String mountPoint, String path) {
        if ("/".equals(mountPoint)) {
            return path.startsWith("/");
        }
        return path.startsWith(mountPoint)
                && (path.length() == mountPoint.length() || path.charAt(mountPoint.length()) == '/');
    }

    /** The n-th space-separated field, or {@code null}. */
    private static String field(String line, int n) {
        int start = 0;
        for (int i = 0; i < n; i++) {
            start = line.indexOf(' ', start);
            if (start < 0) {
                return null;
            }
            start++;
        }
        int end = line.indexOf(' ', start);
        String f = end < 0 ? line.substring(start) : line.substring(start, end);
        return f.isEmpty() ? null : f;
    }

    /** The kernel writes space, tab, newline and backslash in mount points as octal escapes. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && octal(s, i + 1)) {
                sb.append((char) ((s.charAt(i + 1) - '0') * 64 + (s.charAt(i + 2) - '0') * 8 + (s.charAt(i + 3) - '0')));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean octal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
