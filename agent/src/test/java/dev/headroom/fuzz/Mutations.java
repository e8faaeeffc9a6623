package dev.headroom.fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mutators that start from real fixture texts and break them the ways files really break (cut short, a line lost
 * or doubled, a number out of range, CRLF, tabs, stray bytes) and some ways they never should (random unicode,
 * control characters), plus purely random key/value text.
 */
public final class Mutations {

    /** Numbers the parsers must survive: edges of long, overflow, signs, hex, floats, NaN, empty, non-ASCII digits. */
    private static final String[] ODD_NUMBERS = {
        "0", "-0", "-1", "-", "+1", "1", "99999999999999999999", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "18446744073709551615", "18446744073709551616",
        "9007199254740993", "NaN", "nan", "Infinity", "-Infinity", "0x1F", "0X7fffffff", "1e10", "1E400", "1.5",
        "0.000001", ".5", "5.", "1..2", "", " ", "٣٤", "１２", "1_000", "1,000", "00000000000000000000000001",
        "2147483647", "2147483648", "-2147483649", "4294967296", "0b101", "1-", "--1", "1k", "12kB", "max",
    };

    /** Characters that break parsers: controls, separators, surrogates, replacement, RTL mark, NUL. */
    private static final char[] ODD_CHARS = {
        '\0', '\t', '\r', '\n', ' ', ':', '=', ',', '(', ')', '-', '/', '\\', '"', '{', '}', '[', ']', '#', '%',
        '\u00a0', '\u00ff', '\u2028', '\u200f', '\ufeff', '\ufffd', '\ud800', '\udc00', '\u0085', '\u001b', '\u007f',
        '0', '9', 'k', 'B', 'K', 'M', 'G', 'e', '.', '\u0663',
    };

    private Mutations() {
    }

    /** A classpath resource as text, e.g. {@code /cgroup/v1-host-view/proc/self/cgroup}. */
    public static String resource(String path) {
        try (InputStream in = Mutations.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T pick(SplittableRandom r, List<T> from) {
        return from.get(r.nextInt(from.size()));
    }

    public static String pick(SplittableRandom r, String... from) {
        return from[r.nextInt(from.length)];
    }

    /** One to four mutations of {@code text}; sometimes (1 in 16) the text unchanged. */
    public static String mutate(String text, SplittableRandom r) {
        if (r.nextInt(16) == 0) {
            return text;
        }
        String out = text;
        int rounds = 1 + r.nextInt(4);
        for (int i = 0; i < rounds; i++) {
            out = mutateOnce(out, r);
        }
        return out;
    }

    static String mutateOnce(String text, SplittableRandom r) {
        return switch (r.nextInt(14)) {
            case 0 -> flipChar(text, r);
            case 1 -> insertOddChars(text, r);
            case 2 -> deleteLine(text, r);
            case 3 -> duplicateLine(text, r);
            case 4 -> swapLines(text, r);
            case 5 -> truncate(text, r);
            case 6, 7 -> mutateNumber(text, r);
            case 8 -> whitespace(text, r);
            case 9 -> fieldCount(text, r);
            case 10 -> deleteSpan(text, r);
            case 11 -> text.repeat(1 + r.nextInt(3));
            case 12 -> insertRandomLine(text, r);
            default -> truncateLine(text, r);
        };
    }

    /**
     * The text as UTF-8 bytes, sometimes (1 in 4) damaged below the character level: a flipped byte, a stray
     * 0xff, or a cut in the middle of a multi-byte character, as a log cut by SIGKILL can end.
     */
    public static byte[] bytes(String text, SplittableRandom r) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (r.nextInt(4) != 0 || bytes.length == 0) {
            return bytes;
        }
        return switch (r.nextInt(3)) {
            case 0 -> {
                int flips = 1 + r.nextInt(3);
                for (int i = 0; i < flips; i++) {
                    bytes[r.nextInt(bytes.length)] ^= (byte) (1 << r.nextInt(8));
                }
                yield bytes;
            }
            case 1 -> {
                byte[] out = java.util.Arrays.copyOf(bytes, bytes.length + 1);
                int at = r.nextInt(out.length);
                System.arraycopy(out, at, out, at + 1, out.length - at - 1);
                out[at] = (byte) (0x80 + r.nextInt(0x80));
                yield out;
            }
            default -> {
                // "é" is two bytes: keep only the first, then cut
                byte[] cut = java.util.Arrays.copyOf(bytes, r.nextInt(bytes.length) + 1);
                cut[cut.length - 1] = (byte) 0xc3;
                yield cut;
            }
        };
    }

    /** A random char anywhere, from ASCII, the odd set, or the whole BMP (lone surrogates included). */
    public static char randomChar(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> ODD_CHARS[r.nextInt(ODD_CHARS.length)];
            case 1 -> (char) r.nextInt(0x10000);
            case 2 -> (char) r.nextInt(0x20);
            default -> (char) (0x20 + r.nextInt(0x5f));
        };
    }

    /** A number-like token, odd or ordinary. */
    public static String oddNumber(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> Long.toString(r.nextLong());
            case 1 -> Long.toString(r.nextLong(Long.MAX_VALUE));
            case 2 -> "9".repeat(1 + r.nextInt(40));
            default -> ODD_NUMBERS[r.nextInt(ODD_NUMBERS.length)];
        };
    }

    /** A random token of {@code 0..max} random chars. */
    public static String randomToken(SplittableRandom r, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(r.nextInt(3) == 0 ? randomChar(r) : (char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }

    /** Purely random {@code key<sep>value} lines: keys from {@code knownKeys} or random, values odd or ordinary. */
    public static String randomKeyValues(SplittableRandom r, List<String> knownKeys, String separator, String suffix) {
        int lines = r.nextInt(40);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            sb.append(knownKeys.isEmpty() || r.nextInt(3) == 0 ? randomToken(r, 12) : pick(r, knownKeys));
            sb.append(r.nextInt(10) == 0 ? pick(r, " ", "\t", ":", "=", "", "  ") : separator);
            sb.append(oddNumber(r));
            if (r.nextBoolean()) {
                sb.append(suffix);
            }
            sb.append(r.nextInt(12) == 0 ? "\r\n" : "\n");
        }
        return sb.toString();
    }

    public static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                lines.add(text.substring(start));
                break;
            }
            lines.add(text.substring(start, end));
            start = end + 1;
        }
        return lines;
    }

    /** Lines of a text: a bound for anything parsed per line. */
    public static int lineCount(String text) {
        int n = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private static String join(List<String> lines) {
        return String.join("\n", lines);
    }

    private static String flipChar(String text, SplittableRandom r) {
        if (text.isEmpty()) {
            return String.valueOf(randomChar(r));
        }
        StringBuilder sb = new StringBuilder(text);
        int flips = 1 + r.nextInt(4);
        for (int i = 0; i < flips; i++) {
            int at = r.nextInt(sb.length());
            // a flipped low bit keeps most digits digits and most letters letters: the nearest kind of damage
            sb.setCharAt(at, r.nextBoolean() ? (char) (sb.charAt(at) ^ (1 << r.nextInt(8))) : randomChar(r));
        }
        return sb.toString();
    }

    private static String insertOddChars(String text, SplittableRandom r) {
        StringBuilder sb = new StringBuilder(text);
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
            sb.insert(r.nextInt(sb.length() + 1), randomChar(r));
        }
        return sb.toString();
    }

    private static String deleteLine(String text, SplittableRandom r) {
        List<String> lines = lines(text);
        lines.remove(r.nextInt(lines.size()));
        return join(lines);
    }

    private static String duplicateLine(String text, SplittableRandom r) {
        List<String> lines = lines(text);
        int i = r.nextInt(lines.size());
        lines.add(r.nextInt(lines.size() + 1), lines.get(i));
        return join(lines);
    }

    private static String swapLines(String text, SplittableRandom r) {
        List<String> lines = lines(text);
        int a = r.nextInt(lines.size());
        int b = r.nextInt(lines.size());
        String t = lines.get(a);
        lines.set(a, lines.get(b));
        lines.set(b, t);
        return join(lines);
    }

    /** Cut short, as a read interrupted or a file written half-way. */
    private static String truncate(String text, SplittableRandom r) {
        return text.isEmpty() ? text : text.substring(0, r.nextInt(text.length()));
    }

    private static String truncateLine(String text, SplittableRandom r) {
        List<String> lines = lines(text);
        int i = r.nextInt(lines.size());
        String line = lines.get(i);
        lines.set(i, line.isEmpty() ? line : line.substring(0, r.nextInt(line.length())));
        return join(lines);
    }

    private static String deleteSpan(String text, SplittableRandom r) {
        if (text.isEmpty()) {
            return text;
        }
        int from = r.nextInt(text.length());
        int to = Math.min(text.length(), from + 1 + r.nextInt(32));
        return text.substring(0, from) + text.substring(to);
    }

    /** Replaces a run of digits (or inserts a number) with an odd number. */
    private static String mutateNumber(String text, SplittableRandom r) {
        int digits = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9' && (i == 0 || text.charAt(i - 1) < '0' || text.charAt(i - 1) > '9')) {
                digits++;
            }
        }
        if (digits == 0) {
            int at = r.nextInt(text.length() + 1);
            return text.substring(0, at) + oddNumber(r) + text.substring(at);
        }
        int target = r.nextInt(digits);
        for (int i = 0, seen = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9' && (i == 0 || text.charAt(i - 1) < '0' || text.charAt(i - 1) > '9')) {
                if (seen++ == target) {
                    int end = i;
                    while (end < text.length() && text.charAt(end) >= '0' && text.charAt(end) <= '9') {
                        end++;
                    }
                    return text.substring(0, i) + oddNumber(r) + text.substring(end);
                }
            }
        }
        return text;
    }

    private static String whitespace(String text, SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0 -> text.replace("\n", "\r\n");
            case 1 -> text.replace(" ", "\t");
            case 2 -> text.replace(" ", "  ");
            case 3 -> text.replace("\n", "");
            case 4 -> text.replace("\n", " \n");
            case 5 -> text.replace("\n", "\n ");
            case 6 -> text.replace(" ", "");
            default -> text.replace("\n", "\n\n");
        };
    }

    /** In one line: drop, double or add a whitespace-separated field. */
    private static String fieldCount(String text, SplittableRandom r) {
        List<String> lines = lines(text);
        int li = r.nextInt(lines.size());
        String[] fields = lines.get(li).split(" ", -1);
        List<String> list = new ArrayList<>(List.of(fields));
        switch (r.nextInt(3)) {
            case 0 -> {
                if (!list.isEmpty()) {
                    list.remove(r.nextInt(list.size()));
                }
            }
            case 1 -> {
                if (!list.isEmpty()) {
                    list.add(r.nextInt(list.size() + 1), list.get(r.nextInt(list.size())));
                }
            }
            default -> list.add(r.nextInt(list.size() + 1), r.nextBoolean() ? oddNumber(r) : randomToken(r, 8));
        }
        lines.set(li, String.join(" ", list));
        return join(lines);
    }

    private static String insertRandomLine(String text, SplittableRandom r) {
        List<String> lines = lines(text);
        String line = switch (r.nextInt(3)) {
            case 0 -> randomToken(r, 40);
            case 1 -> randomToken(r, 8) + pick(r, " ", ":", "=", ": ", "\t") + oddNumber(r);
            default -> "";
        };
        lines.add(r.nextInt(lines.size() + 1), line);
        return join(lines);
    }
}
