package dev.headroom.sense.host;

/** Parser of {@code /proc/meminfo} (proc(5)). Pure: give it the file's text. */
final class MemInfo {

    private MemInfo() {
    }

    /** {@code MemTotal} in bytes, {@code -1} when the text has no well-formed {@code MemTotal: <n> kB} line. */
    static long memTotalBytes(CharSequence meminfoText) {
        String text = meminfoText.toString();
        int n = text.length();
        int pos = 0;
        while (pos < n) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) {
                eol = n;
            }
            if (text.startsWith("MemTotal:", pos)) {
                return kibibytes(text, pos + "MemTotal:".length(), eol);
            }
            pos = eol + 1;
        }
        return -1;
    }

    private static long kibibytes(String text, int i, int end) {
        while (i < end && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        int digitsStart = i;
        long value = 0;
        while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            if (value > Long.MAX_VALUE / 10240) {
                return -1;
            }
            value = value * 10 + (text.charAt(i) - '0');
            i++;
        }
        // The loop's guard keeps value itself from overflowing, but its last digit can still take value past
        // MAX / 1024, and "9007199254740993 kB" came back negative (found by MemInfoFuzzTest).
        if (i == digitsStart || value > Long.MAX_VALUE / 1024) {
            return -1;
        }
        while (i < end && text.charAt(i) == ' ') {
            i++;
        }
        return text.startsWith("kB", i) ? value * 1024 : -1;
    }
}
