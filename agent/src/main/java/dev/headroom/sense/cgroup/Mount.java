package dev.headroom.sense.cgroup;

import java.util.Arrays;

/**
 * One line of {@code /proc/self/mountinfo} (proc(5)), reduced to what locating a cgroup needs.
 *
 * <pre>36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 * (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)</pre>
 *
 * @param root         field 4: the directory of the filesystem that is mounted, e.g. {@code /} for a
 *                     whole cgroup hierarchy or the container's own cgroup for a bind mount / namespace
 * @param mountPoint   field 5, with the kernel's octal escapes undone
 * @param fsType       field 9: {@code cgroup} (v1) or {@code cgroup2}
 * @param superOptions field 11: for v1 the controllers of the hierarchy, e.g. {@code rw,memory}
 * @param line         1-based line number, for notes
 */
record Mount(String root, String mountPoint, String fsType, String superOptions, int line) {

    /** Parses one line; {@code null} when it does not have mountinfo's shape. */
    static Mount parse(String text, int line) {
        String[] fields = new String[16];
        int count = 0;
        int start = 0;
        int n = text.length();
        // Fields are separated by single spaces; spaces inside paths are escaped as \040.
        for (int i = 0; i <= n; i++) {
            if (i == n || text.charAt(i) == ' ') {
                if (i > start) {
                    if (count == fields.length) {
                        fields = Arrays.copyOf(fields, count * 2);
                    }
                    fields[count++] = text.substring(start, i);
                }
                start = i + 1;
            }
        }
        // Optional fields (7) may be absent or many; " - " ends them.
        int separator = -1;
        for (int i = 6; i < count; i++) {
            if (fields[i].equals("-")) {
                separator = i;
                break;
            }
        }
        if (separator < 0 || count < separator + 3) {
            return null;
        }
        if (!isNumber(fields[0]) || !isNumber(fields[1]) || fields[2].indexOf(':') < 0) {
            return null;
        }
        String root = unescape(fields[3]);
        String mountPoint = unescape(fields[4]);
        if (root.isEmpty() || root.charAt(0) != '/' || mountPoint.isEmpty() || mountPoint.charAt(0) != '/') {
            return null;
        }
        String superOptions = count > separator + 3 ? fields[separator + 3] : "";
        return new Mount(root, mountPoint, fields[separator + 1], superOptions, line);
    }

    /** Whether the super options list {@code option} as a whole comma-separated word. */
    boolean hasSuperOption(String option) {
        return CgroupLocator.containsWord(superOptions, option, ',');
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Undoes the kernel's mangling of space, tab, newline and backslash as {@code \ooo} (fs/proc_namespace.c). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && isOctal(s.charAt(i + 1)) && isOctal(s.charAt(i + 2))
                    && isOctal(s.charAt(i + 3))) {
                out.append((char) ((s.charAt(i + 1) - '0') * 64 + (s.charAt(i + 2) - '0') * 8 + (s.charAt(i + 3) - '0')));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }
}
