package dev.headroom.report;

/**
 * Sizes for a person: {@code 512 B}, {@code 12.5 KiB}, {@code 300.0 MiB}, {@code 1.2 GiB}; binary units,
 * one decimal, {@code -1} as "unknown". Shared by the text table and the HTML report.
 */
public final class Bytes {

    private static final long KIB = 1024;
    private static final long MIB = KIB * 1024;
    private static final long GIB = MIB * 1024;
    private static final long TIB = GIB * 1024;

    private Bytes() {
    }

    /** A size in the largest binary unit that keeps it at least 1; {@code -1} is "unknown". */
    public static String human(long bytes) {
        if (bytes == -1) {
            return "unknown";
        }
        // Other negatives are real: corrections such as "committed but not resident".
        long abs = Math.abs(bytes);
        String sign = bytes < 0 ? "-" : "";
        if (abs < KIB) {
            return sign + abs + " B";
        }
        if (abs < MIB) {
            return sign + oneDecimal((double) abs / KIB) + " KiB";
        }
        if (abs < GIB) {
            return sign + oneDecimal((double) abs / MIB) + " MiB";
        }
        if (abs < TIB) {
            return sign + oneDecimal((double) abs / GIB) + " GiB";
        }
        return sign + oneDecimal((double) abs / TIB) + " TiB";
    }

    /**
     * The size in MiB with one decimal and no unit, for a column: {@code "300.0"}, {@code "-21.5"}.
     * Every value is taken as a size, {@code -1} too: a part's bytes are always known (a one-byte
     * negative remainder is possible), so no "unknown" here.
     */
    public static String mib(long bytes) {
        return (bytes < 0 ? "-" : "") + oneDecimal((double) Math.abs(bytes) / MIB);
    }

    /** A non-negative number rounded half up to one decimal, e.g. {@code 72.83} to {@code "72.8"}. */
    static String oneDecimal(double value) {
        long tenths = Math.round(value * 10);
        return (tenths / 10) + "." + (tenths % 10);
    }
}
