package dev.headroom.sense.cgroup;

import dev.headroom.sense.files.PseudoFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads cgroup interface files into one reusable buffer and parses the kernel's formats
 * (cgroup-v2.rst "Interface Files": single value, flat keyed, nested keyed) by hand: the sampling
 * tick calls this every second, so no regex, no {@code String.split}, no per-line strings, and the
 * files stay open from tick to tick ({@link PseudoFiles}).
 *
 * <p>Not thread-safe; each reader owns one.
 */
final class InterfaceFiles {

    /** What {@link #readSingleValue} returns for the literal {@code max} (v2 "no limit"). */
    static final long MAX = Long.MAX_VALUE;
    /** This process's id, as {@code cgroup.procs} lists it (same pid namespace: the process reads its own view). */
    static final long SELF_PID = ProcessHandle.current().pid();
    /** What the number parser returns for anything that is not a number. */
    static final long NOT_A_NUMBER = Long.MIN_VALUE;

    /** Keeps the files open between ticks (an open+close costs more than most reads). */
    private final PseudoFiles files = new PseudoFiles();
    private byte[] buffer = files.buffer();
    private int length;
    private boolean foundPid;
    private final double[] some = new double[4];
    private final double[] full = new double[4];

    /** Reads the whole file into the buffer (see {@link PseudoFiles#load}). */
    int load(Path file) throws IOException {
        length = files.load(file);
        buffer = files.buffer();
        return length;
    }

    /** Closes the files kept open; a later read opens them again. */
    void close() {
        files.close();
    }

    /**
     * A file holding one number ({@code memory.current}, {@code memory.limit_in_bytes}) or {@code max}.
     *
     * @return the number, {@link #MAX} for {@code max}, {@code -1} when the content is not a number
     */
    long readSingleValue(Path file) throws IOException {
        load(file);
        int from = 0;
        int to = length;
        while (from < to && isSpace(buffer[from])) {
            from++;
        }
        while (to > from && isSpace(buffer[to - 1])) {
            to--;
        }
        if (to - from == 3 && buffer[from] == 'm' && buffer[from + 1] == 'a' && buffer[from + 2] == 'x') {
            return MAX;
        }
        long value = parseLong(buffer, from, to);
        return value == NOT_A_NUMBER ? -1 : value;
    }

    /**
     * A flat keyed file ({@code memory.stat}, {@code memory.events}, v1 {@code memory.oom_control}):
     * one {@code key value} per line. Lines without a space or with a non-numeric value are skipped.
     *
     * @return the number of skipped lines
     */
    int readFlatKeyed(Path file, KeyedValues into) throws IOException {
        load(file);
        into.clear();
        int skipped = 0;
        int lineStart = 0;
        while (lineStart < length) {
            int lineEnd = indexOf(buffer, (byte) '\n', lineStart, length);
            int space = indexOf(buffer, (byte) ' ', lineStart, lineEnd);
            if (lineEnd > lineStart) {
                long value = space > lineStart && space < lineEnd
                        ? parseLong(buffer, space + 1, trimEnd(buffer, space + 1, lineEnd))
                        : NOT_A_NUMBER;
                if (value == NOT_A_NUMBER) {
                    skipped++;
                } else {
                    into.add(buffer, lineStart, space, value);
                }
            }
            lineStart = lineEnd + 1;
        }
        return skipped;
    }

    /**
     * A PSI file (Documentation/accounting/psi.rst), nested keyed:
     * <pre>some avg10=0.00 avg60=0.00 avg300=0.00 total=0
     *full avg10=0.00 avg60=0.00 avg300=0.00 total=0</pre>
     *
     * @return the parsed pressure, {@code null} when neither line could be read; values missing from an
     *         otherwise readable file are {@code -1}
     */
    Pressure readPressure(Path file, String source) throws IOException {
        load(file);
        Arrays.fill(some, -1);
        Arrays.fill(full, -1);
        boolean any = false;
        int lineStart = 0;
        while (lineStart < length) {
            int lineEnd = indexOf(buffer, (byte) '\n', lineStart, length);
            double[] target = startsWith(buffer, lineStart, lineEnd, "some ") ? some
                    : startsWith(buffer, lineStart, lineEnd, "full ") ? full : null;
            if (target != null) {
                any |= parsePressureLine(lineStart + 5, lineEnd, target);
            }
            lineStart = lineEnd + 1;
        }
        if (!any) {
            return null;
        }
        return new Pressure(some[0], some[1], some[2], (long) some[3], full[0], full[1], full[2], (long) full[3],
                source);
    }

    /** An optional single value: {@code -1} when the file is missing or unreadable. */
    long singleValueOrUnknown(Path file) {
        try {
            return readSingleValue(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Optional PSI: {@code null} when there is none (CONFIG_PSI off, booted with psi=0 — then
     * reading fails with EOPNOTSUPP — or a kernel older than 4.20).
     */
    Pressure pressureOrNull(Path file, String source) {
        try {
            return readPressure(file, source);
        } catch (IOException e) {
            return null;
        }
    }

    /** Optional line count (of {@code cgroup.procs}): {@code -1} when unreadable. */
    int countLinesOrUnknown(Path file) {
        try {
            return countLines(file);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Non-empty lines of a newline-separated file such as {@code cgroup.procs}. */
    int countLines(Path file) throws IOException {
        return countLines(file, -1);
    }

    /**
     * Like {@link #countLinesOrUnknown(Path)}, and whether a line is exactly {@code pid}: afterwards
     * {@link #foundPid()}. Unreadable: {@code -1}, and not found.
     */
    int countLinesOrUnknown(Path file, long pid) {
        try {
            return countLines(file, pid);
        } catch (IOException e) {
            foundPid = false;
            return -1;
        }
    }

    /** Whether the last count looking for a pid found it. */
    boolean foundPid() {
        return foundPid;
    }

    private int countLines(Path file, long pid) throws IOException {
        foundPid = false;
        load(file);
        int lines = 0;
        boolean content = false;
        long number = 0;
        boolean digits = true;
        for (int i = 0; i < length; i++) {
            byte b = buffer[i];
            if (b == '\n') {
                if (content) {
                    lines++;
                    foundPid |= digits && number == pid;
                }
                content = false;
                number = 0;
                digits = true;
            } else if (!isSpace(b)) {
                content = true;
                if (b >= '0' && b <= '9' && number < Long.MAX_VALUE / 10) {
                    number = number * 10 + (b - '0');
                } else {
                    digits = false;
                }
            }
        }
        if (content) {
            foundPid |= digits && number == pid;
            return lines + 1;
        }
        return lines;
    }

    private boolean parsePressureLine(int from, int to, double[] target) {
        boolean any = false;
        int token = from;
        while (token < to) {
            int end = indexOf(buffer, (byte) ' ', token, to);
            int eq = indexOf(buffer, (byte) '=', token, end);
            if (eq < end) {
                int slot = startsWith(buffer, token, eq, "avg10") && eq - token == 5 ? 0
                        : startsWith(buffer, token, eq, "avg60") && eq - token == 5 ? 1
                        : startsWith(buffer, token, eq, "avg300") && eq - token == 6 ? 2
                        : startsWith(buffer, token, eq, "total") && eq - token == 5 ? 3 : -1;
                if (slot >= 0) {
                    double value = slot == 3 ? longOrNaN(parseLong(buffer, eq + 1, end)) : parseDecimal(buffer, eq + 1, end);
                    if (!Double.isNaN(value)) {
                        target[slot] = value;
                        any = true;
                    }
                }
            }
            token = end + 1;
        }
        return any;
    }

    private static double longOrNaN(long value) {
        return value == NOT_A_NUMBER ? Double.NaN : value;
    }

    /**
     * Parses {@code digits} in {@code [from, to)}; {@link #NOT_A_NUMBER} when empty, not digits, or overflowing.
     * A minus sign is not a number either: the kernel prints every memory size, counter and PSI total unsigned
     * ({@code %llu}/{@code %lu} in mm/memcontrol.c and kernel/sched/psi.c), so "-4" is damage, and letting it through
     * put negative sizes into {@link CgroupMemory} (found by CgroupFuzzTest).
     */
    static long parseLong(byte[] bytes, int from, int to) {
        if (from >= to) {
            return NOT_A_NUMBER;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9 || value > (Long.MAX_VALUE - digit) / 10) {
                return NOT_A_NUMBER;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** Parses {@code digits[.digits]} as PSI prints its averages; NaN when malformed. */
    static double parseDecimal(byte[] bytes, int from, int to) {
        long mantissa = 0;
        long scale = 1;
        boolean dot = false;
        boolean digits = false;
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b == '.' && !dot) {
                dot = true;
            } else if (b >= '0' && b <= '9' && mantissa < 1_000_000_000_000L && scale < 1_000_000_000_000_000L) {
                // The scale bound: PSI prints two decimals; twenty would overflow the scale into a negative
                // average (found by CgroupFuzzTest), so that many is malformed.
                mantissa = mantissa * 10 + (b - '0');
                if (dot) {
                    scale *= 10;
                }
                digits = true;
            } else {
                return Double.NaN;
            }
        }
        return digits ? (double) mantissa / scale : Double.NaN;
    }

    private static int indexOf(byte[] bytes, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return to;
    }

    private static int trimEnd(byte[] bytes, int from, int to) {
        while (to > from && isSpace(bytes[to - 1])) {
            to--;
        }
        return to;
    }

    private static boolean startsWith(byte[] bytes, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\t' || b == '\r';
    }
}
