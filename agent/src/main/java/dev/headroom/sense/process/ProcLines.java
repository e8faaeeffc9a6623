package dev.headroom.sense.process;

/**
 * Reads the values of {@code Key:   value [kB]} lines, the shape shared by {@code /proc/<pid>/status},
 * {@code smaps_rollup} and {@code meminfo}. No regex and no substrings: these files are read every tick,
 * straight from the read buffer (a {@link CharSequence} view, no String made).
 */
final class ProcLines {

    private static final long MAX_KIB = Long.MAX_VALUE / 1024;

    private ProcLines() {
    }

    /** True when the key of the line {@code [lineStart, colon)} is exactly {@code key}. */
    static boolean keyIs(CharSequence text, int lineStart, int colon, String key) {
        return colon - lineStart == key.length() && regionIs(text, lineStart, key);
    }

    /**
     * The value after a colon written in kibibytes ({@code "  80632 kB"}), in bytes; {@code -1} when the value is
     * not a number followed by {@code kB} (the kernel's "kB" is 1024 bytes, see proc(5)).
     */
    static long kibibytes(CharSequence text, int from, int end) {
        int start = skipBlanks(text, from, end);
        int i = digitsEnd(text, start, end);
        long value = i < 0 ? -1 : parseDigits(text, start, i);
        if (value < 0 || value > MAX_KIB) {
            return -1;
        }
        i = skipBlanks(text, i, end);
        if (!regionIs(text, i, "kB")) {
            return -1;
        }
        return skipBlanks(text, i + 2, end) == end ? value * 1024 : -1;
    }

    /** The value after a colon written as a bare count ({@code "\t22"}); {@code -1} when it is not one. */
    static long count(CharSequence text, int from, int end) {
        int start = skipBlanks(text, from, end);
        int i = digitsEnd(text, start, end);
        long value = i < 0 ? -1 : parseDigits(text, start, i);
        return value >= 0 && skipBlanks(text, i, end) == end ? value : -1;
    }

    /** The end of the run of ASCII digits at {@code from}, or {@code -1} when there is none. */
    private static int digitsEnd(CharSequence text, int from, int end) {
        int i = from;
        while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        return i == from ? -1 : i;
    }

    /** The digits {@code [from, to)} as a long, or {@code -1} when they overflow. */
    private static long parseDigits(CharSequence text, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            if (value > (Long.MAX_VALUE - 9) / 10) {
                return -1;
            }
            value = value * 10 + (text.charAt(i) - '0');
        }
        return value;
    }

    /** Index of the end of the line starting at {@code from}: the next newline, or the end of the text. */
    static int lineEnd(CharSequence text, int from) {
        return indexOf(text, '\n', from, text.length());
    }

    /** Index of the line's colon, or {@code -1} when the line {@code [from, end)} has none. */
    static int colon(CharSequence text, int from, int end) {
        int colon = indexOf(text, ':', from, end);
        return colon < end ? colon : -1;
    }

    // '\r' too, so a fixture saved with Windows line ends still reads
    private static int skipBlanks(CharSequence text, int i, int end) {
        while (i < end) {
            char c = text.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    private static int indexOf(CharSequence text, char c, int from, int end) {
        for (int i = from; i < end; i++) {
            if (text.charAt(i) == c) {
                return i;
            }
        }
        return end;
    }

    private static boolean regionIs(CharSequence text, int from, String word) {
        if (from < 0 || text.length() - from < word.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (text.charAt(from + i) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
