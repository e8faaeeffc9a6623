package dev.headroom.fuzz;

import java.util.SplittableRandom;

/** Mutations aimed at JSON event lines: field values swapped for odd ones, timestamps at and past the edges. */
public final class JsonMutations {

    /** Timestamps Instant.parse accepts or nearly accepts, the far ones beyond what epoch milliseconds can hold. */
    private static final String[] ODD_TIMES = {
        "\"+1000000000-12-31T23:59:59.999999999Z\"", "\"-1000000000-01-01T00:00:00Z\"", "\"+292278994-08-17T07:12:55.807Z\"",
        "\"+292278995-01-01T00:00:00Z\"", "\"-292275055-05-16T16:47:04.192Z\"", "\"2026-13-01T00:00:00Z\"",
        "\"2026-11-22T14:02:00Z\"", "\"1970-01-01T00:00:00Z\"", "\"\"", "\"now\"", "null", "true", "[]", "{}",
        "9223372036854775807", "-9223372036854775808", "99999999999999999999", "1e300", "-1", "0", "1.5",
    };

    /** Values for any field: wrong types, edges of long and double, huge and negative sizes. */
    private static final String[] ODD_VALUES = {
        "null", "true", "false", "\"\"", "\"x\"", "[]", "{}", "[1,2]", "{\"a\":1}", "0", "-1", "-9223372036854775808",
        "9223372036854775807", "9223372036854775808", "99999999999999999999999999999", "1e308", "-1e308", "1e-320",
        "0.5", "-0.0", "NaN", "\"NaN\"", "\"Infinity\"", "\"\\u0000\"", "\"\\ud800\"", "\"OK\"", "\"WARNING\"",
        "\"CRITICAL\"", "\"start\"", "\"stop\"", "\"snapshot\"", "\"flight\"",
    };

    private JsonMutations() {
    }

    public static String oddTime(SplittableRandom r) {
        return ODD_TIMES[r.nextInt(ODD_TIMES.length)];
    }

    public static String oddValue(SplittableRandom r) {
        return ODD_VALUES[r.nextInt(ODD_VALUES.length)];
    }

    /** Replaces the value after one {@code "name": } in the line with an odd one (or an odd time for "time"). */
    public static String replaceValue(String line, SplittableRandom r) {
        int colons = 0;
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == ':' && i > 0 && line.charAt(i - 1) == '"') {
                colons++;
            }
        }
        if (colons == 0) {
            return line;
        }
        int target = r.nextInt(colons);
        for (int i = 0, seen = 0; i < line.length(); i++) {
            if (line.charAt(i) == ':' && i > 0 && line.charAt(i - 1) == '"' && seen++ == target) {
                int start = i + 1;
                while (start < line.length() && line.charAt(start) == ' ') {
                    start++;
                }
                int end = valueEnd(line, start);
                int nameStart = line.lastIndexOf('"', i - 2);
                String name = nameStart < 0 ? "" : line.substring(nameStart + 1, i - 1);
                String value = name.equals("time") || name.equals("startTime") || r.nextInt(8) == 0 ? oddTime(r)
                        : oddValue(r);
                return line.substring(0, start) + value + line.substring(end);
            }
        }
        return line;
    }

    /** The end of the JSON value starting at {@code start}: a string, a number or literal, or a nested container. */
    private static int valueEnd(String s, int start) {
        if (start >= s.length()) {
            return start;
        }
        char c = s.charAt(start);
        if (c == '"') {
            for (int i = start + 1; i < s.length(); i++) {
                if (s.charAt(i) == '\\') {
                    i++;
                } else if (s.charAt(i) == '"') {
                    return i + 1;
                }
            }
            return s.length();
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            boolean inString = false;
            for (int i = start; i < s.length(); i++) {
                char d = s.charAt(i);
                if (inString) {
                    if (d == '\\') {
                        i++;
                    } else if (d == '"') {
                        inString = false;
                    }
                } else if (d == '"') {
                    inString = true;
                } else if (d == '{' || d == '[') {
                    depth++;
                } else if ((d == '}' || d == ']') && --depth == 0) {
                    return i + 1;
                }
            }
            return s.length();
        }
        int i = start;
        while (i < s.length() && s.charAt(i) != ',' && s.charAt(i) != '}' && s.charAt(i) != ']') {
            i++;
        }
        return i;
    }

    /** A JSON-ish line: a value mutation most of the time, else the generic text mutations. */
    public static String mutateLine(String line, SplittableRandom r) {
        return r.nextInt(3) == 0 ? Mutations.mutate(line, r) : replaceValue(line, r);
    }
}
