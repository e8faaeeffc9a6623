package dev.headroom.config;

import java.util.Locale;

/** Parses the human forms of durations ({@code 500ms}, {@code 1s}, {@code 5m}) and sizes ({@code 300m}, {@code 2g}). */
public final class Quantities {

    private Quantities() {
    }

    /**
     * A duration with a unit: {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}; a whole or
     * decimal number ({@code 1.5s}). A bare number is refused because nobody can tell its unit.
     *
     * @return milliseconds
     */
    public static long parseDurationMillis(String text) throws NumberFormatException {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int split = unitStart(t);
        if (split == 0 || split == t.length()) {
            throw new NumberFormatException("a number with a unit (ms, s, m, h, d)");
        }
        double number = Double.parseDouble(t.substring(0, split));
        long unitMillis = switch (t.substring(split)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m", "min" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            default -> throw new NumberFormatException("unknown unit '" + t.substring(split) + "'");
        };
        double millis = number * unitMillis;
        if (!(millis >= 0) || millis > Long.MAX_VALUE / 2) {
            throw new NumberFormatException("out of range");
        }
        return Math.round(millis);
    }

    /**
     * A size in bytes: plain bytes ({@code 1048576}) or with a binary unit {@code k}, {@code m},
     * {@code g}, {@code t}, optionally followed by {@code b} or {@code ib} ({@code 300m}, {@code 2GiB}).
     */
    public static long parseBytes(String text) throws NumberFormatException {
        String t = text.trim().toLowerCase(Locale.ROOT);
        int split = unitStart(t);
        if (split == 0) {
            throw new NumberFormatException("a number of bytes, or with a unit k, m, g, t");
        }
        String unit = t.substring(split);
        if (unit.endsWith("ib")) {
            unit = unit.substring(0, unit.length() - 2);
        } else if (unit.endsWith("b")) {
            unit = unit.substring(0, unit.length() - 1);
        }
        int shift = switch (unit) {
            case "" -> 0;
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> throw new NumberFormatException("unknown unit '" + t.substring(split) + "'");
        };
        double bytes = Double.parseDouble(t.substring(0, split)) * (1L << shift);
        if (!(bytes >= 0) || bytes >= Long.MAX_VALUE) {
            throw new NumberFormatException("out of range");
        }
        return (long) bytes;
    }

    private static int unitStart(String t) {
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        return i;
    }
}
