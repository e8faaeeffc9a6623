package dev.headroom.sense.jvm;

import java.util.ArrayList;
import java.util.List;

/**
 * Parser of the text of {@code jcmd <pid> VM.native_memory summary} (equally of the DiagnosticCommand MBean's
 * {@code vmNativeMemory summary}). Pure: give it the text.
 *
 * <p>The lines it needs have kept their shape across JDK 8 to 25:
 * <pre>
 * Total: reserved=1733032KB, committed=362716KB
 * -                 Java Heap (reserved=262144KB, committed=262144KB)
 * -        Shared class space (reserved=16384KB, committed=13908KB, readonly=0KB)
 * </pre>
 * Everything else (the {@code malloc:}/{@code mmap:} lines under {@code Total} since JDK 17, the parenthesised
 * detail lines under each category, which JDK 21+ extends with {@code tag=} and {@code at peak}) is skipped.
 * Each number carries its own unit: {@code KB} by default, {@code MB}/{@code GB} with {@code scale=}, none with
 * {@code scale=1}.
 */
public final class NmtParser {

    private static final String HEADER = "Native Memory Tracking:";
    private static final String TOTAL = "Total:";
    private static final String RESERVED = "reserved=";
    private static final String COMMITTED = "committed=";

    /**
     * How far the categories' sum may stray from {@code Total}, in units of the text's scale. The JDK rounds each
     * printed value to the nearest unit (so up to half a unit off each) and omits the categories that round to
     * zero; HotSpot has about thirty memory types, so the sum stays within 32 units of the total. A text whose
     * categories fall short by more was cut off, or is a format this parser does not understand.
     */
    private static final int SUM_TOLERANCE_UNITS = 32;

    private NmtParser() {
    }

    /**
     * Parses the text of {@code VM.native_memory summary} (scale KB default, or MB/GB if the text says so). Works for
     * both the JDK 17 and JDK 21+ formats.
     *
     * @return the summary in bytes, or {@code null} when the text says native memory tracking is not enabled (or has
     * been shut down)
     * @throws NmtFormatException when the text is malformed or truncated
     */
    public static NmtSummary parse(String text) throws NmtFormatException {
        if (text == null) {
            throw new NmtFormatException("no NMT text");
        }
        // JDK 8-25: "Native memory tracking is not enabled"; JDK 8-18 after `VM.native_memory shutdown`:
        // "Native memory tracking has been shutdown" (JDK 19 removed that command).
        if (text.contains("Native memory tracking is not enabled") || text.contains("Native memory tracking has been")) {
            return null;
        }
        int header = text.indexOf(HEADER);
        if (header < 0) {
            throw new NmtFormatException("no '" + HEADER + "' header in NMT text starting " + quoteStart(text));
        }
        long totalReserved = -1;
        long totalCommitted = -1;
        long unit = -1;
        List<NmtCategory> categories = new ArrayList<>(32);
        int n = text.length();
        int pos = header + HEADER.length();
        while (pos < n) {
            int eol = text.indexOf('\n', pos);
            if (eol < 0) {
                eol = n;
            }
            int start = skipBlanks(text, pos, eol);
            if (text.startsWith(TOTAL, start)) {
                if (totalReserved >= 0) {
                    throw new NmtFormatException("two Total lines in NMT text: " + line(text, start));
                }
                totalReserved = amount(text, RESERVED, start, eol);
                totalCommitted = amount(text, COMMITTED, start, eol);
                unit = unitOf(text, RESERVED, start, eol);
            } else if (start < eol && text.charAt(start) == '-') {
                categories.add(category(text, start, eol));
            }
            pos = eol + 1;
        }
        if (totalReserved < 0) {
            throw new NmtFormatException("no 'Total: reserved=..., committed=...' line in NMT text starting "
                    + quoteStart(text));
        }
        if (categories.isEmpty()) {
            throw new NmtFormatException("no categories after the Total line in NMT text: truncated?");
        }
        checkComplete(categories, totalReserved, totalCommitted, unit);
        return new NmtSummary(totalReserved, totalCommitted, categories);
    }

    // "-                 Java Heap (reserved=262144KB, committed=262144KB)"
    private static NmtCategory category(String text, int start, int eol) throws NmtFormatException {
        int open = text.indexOf('(', start);
        if (open < 0 || open >= eol) {
            throw new NmtFormatException("NMT category line without sizes: " + line(text, start));
        }
        int close = text.lastIndexOf(')', eol - 1);
        if (close < open) {
            throw new NmtFormatException("NMT category line cut short: " + line(text, start));
        }
        String name = text.substring(start + 1, open).trim();
        if (name.isEmpty()) {
            throw new NmtFormatException("NMT category line without a name: " + line(text, start));
        }
        return new NmtCategory(name, amount(text, RESERVED, open, close), amount(text, COMMITTED, open, close));
    }

    /** The size after {@code key} (e.g. {@code reserved=1733032KB}) within {@code [from, end)}, in bytes. */
    private static long amount(String text, String key, int from, int end) throws NmtFormatException {
        int at = keyAt(text, key, from, end);
        int i = at + key.length();
        int digitsStart = i;
        long value = 0;
        while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            if (value > (Long.MAX_VALUE - 9) / 10) {
                throw new NmtFormatException("NMT size too large: " + line(text, from));
            }
            value = value * 10 + (text.charAt(i) - '0');
            i++;
        }
        if (i == digitsStart) {
            throw new NmtFormatException("no number after '" + key + "': " + line(text, from));
        }
        long unit = unit(text, i, end);
        if (unit < 0) {
            throw new NmtFormatException("unknown unit after '" + key + "': " + line(text, from));
        }
        if (value > Long.MAX_VALUE / unit) {
            throw new NmtFormatException("NMT size too large: " + line(text, from));
        }
        return value * unit;
    }

    /** The unit of the size after {@code key}, in bytes. */
    private static long unitOf(String text, String key, int from, int end) throws NmtFormatException {
        int i = keyAt(text, key, from, end) + key.length();
        while (i < end && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        return unit(text, i, end);
    }

    private static int keyAt(String text, String key, int from, int end) throws NmtFormatException {
        int at = text.indexOf(key, from);
        if (at < 0 || at + key.length() > end) {
            throw new NmtFormatException("no '" + key + "' in NMT line: " + line(text, from));
        }
        return at;
    }

    /** Bytes per unit of the suffix at {@code i}: KB, MB, GB, or none (scale=1); -1 for anything else. */
    private static long unit(String text, int i, int end) {
        if (i + 1 < end && text.charAt(i + 1) == 'B') {
            switch (text.charAt(i)) {
                case 'K':
                    return 1L << 10;
                case 'M':
                    return 1L << 20;
                case 'G':
                    return 1L << 30;
                default:
                    return -1;
            }
        }
        if (i == end || text.charAt(i) == ',' || text.charAt(i) == ')' || text.charAt(i) == ' '
                || text.charAt(i) == '\r') {
            return 1;
        }
        return -1;
    }

    private static void checkComplete(List<NmtCategory> categories, long totalReserved, long totalCommitted, long unit)
            throws NmtFormatException {
        long reserved = 0;
        long committed = 0;
        // Exact sums: categories near 2^62 bytes wrapped past Long.MAX_VALUE and then "matched" a Total equal to the
        // wrapped sum (found by NmtParserFuzzTest). No JVM has that much; such a text is not understood.
        try {
            for (int i = 0; i < categories.size(); i++) {
                reserved = Math.addExact(reserved, categories.get(i).reservedBytes());
                committed = Math.addExact(committed, categories.get(i).committedBytes());
            }
        } catch (ArithmeticException e) {
            throw new NmtFormatException("NMT categories add up to more than a long holds: the text is not understood");
        }
        long tolerance = SUM_TOLERANCE_UNITS * unit;
        if (Math.abs(totalReserved - reserved) > tolerance || Math.abs(totalCommitted - committed) > tolerance) {
            throw new NmtFormatException("NMT categories sum to reserved=" + reserved + " committed=" + committed
                    + " bytes but Total says reserved=" + totalReserved + " committed=" + totalCommitted
                    + ": the text is truncated or not understood");
        }
    }

    private static int skipBlanks(String text, int i, int end) {
        while (i < end && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** The line holding {@code start}, from there on, quoted for a message. */
    private static String line(String text, int start) {
        int eol = text.indexOf('\n', start);
        int stop = Math.min(eol < 0 ? text.length() : eol, start + 200);
        return "'" + text.substring(start, stop).strip() + "'";
    }

    private static String quoteStart(String text) {
        String start = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return "'" + start.strip() + "'";
    }
}
