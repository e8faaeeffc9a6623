package dev.headroom.act;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The class histogram ({@code jcmd <pid> GC.class_histogram}), taken in-process through the
 * DiagnosticCommand MBean: written whole to a 0600 file in the private evidence directory, and its
 * top rows parsed for the event.
 *
 * <p>Live or all: without {@code -all} the command first runs a full, stop-the-world GC so that
 * only live objects are counted — what a leak hunt wants, at the cost of a pause that grows with
 * the heap. With {@code -all} it walks the heap as it is, garbage included, with no GC. The default
 * is {@code -all} ({@link #DEFAULT_LIVE} false): the histogram is taken when the kill may be seconds
 * away, and the usual sequence takes a live heap dump first, whose full GC leaves little garbage
 * for the histogram to count. Take it live when no dump precedes it.
 */
public final class ClassHistogram {

    /** Default: walk the heap as it is ({@code -all}), no forced full GC. */
    public static final boolean DEFAULT_LIVE = false;
    /** Rows parsed for the event. */
    public static final int TOP_ROWS = 20;

    static final String SUFFIX = ".histo.txt";

    /**
     * One row of the histogram.
     *
     * @param module the module and version in the parentheses, e.g. {@code java.base@17.0.15}; empty when none
     */
    public record Row(int rank, long instances, long bytes, String className, String module) {
    }

    /**
     * @param path           the full histogram's file when DONE
     * @param millis         how long the command took, {@code -1} unless tried
     * @param totalInstances the {@code Total} line, {@code -1} when absent
     * @param top            the first {@link #TOP_ROWS} rows, largest first
     */
    public record Result(EvidenceStatus status, Path path, long millis, long totalInstances, long totalBytes,
                         List<Row> top, String reason) {
        public Result {
            top = List.copyOf(top);
        }

        static Result notDone(EvidenceStatus status, long millis, String reason) {
            return new Result(status, null, millis, -1, -1, List.of(), reason);
        }
    }

    /** The parsed text: rows in order and the totals. */
    record Parsed(List<Row> rows, long totalInstances, long totalBytes) {
    }

    private final EvidenceDirectory directory;
    private final int keep;
    private final DiagnosticCommands commands;
    private final LongSupplier clock;
    private final long pid;
    private final Supplier<String> randomPart;

    /**
     * @param keep histogram files of ours kept in the directory, counting the new one
     */
    public ClassHistogram(EvidenceDirectory directory, int keep) {
        this(directory, keep, DiagnosticCommands.platform(), System::currentTimeMillis,
                ProcessHandle.current().pid(), EvidenceFiles::randomPart);
    }

    ClassHistogram(EvidenceDirectory directory, int keep, DiagnosticCommands commands, LongSupplier clock, long pid,
                   Supplier<String> randomPart) {
        this.directory = directory;
        this.keep = keep;
        this.commands = commands;
        this.clock = clock;
        this.pid = pid;
        this.randomPart = randomPart;
    }

    /** Takes the histogram; {@code live} forces a full GC first (see the class comment). Never throws. */
    public synchronized Result take(boolean live) {
        EvidenceDirectory.Prepared dir = directory.prepareSmall();
        if (!dir.ok()) {
            return Result.notDone(EvidenceStatus.SKIPPED, -1, dir.reason());
        }
        long start = System.nanoTime();
        String text;
        try {
            text = live ? commands.run("gcClassHistogram") : commands.run("gcClassHistogram", "-all");
        } catch (Exception e) {
            return Result.notDone(EvidenceStatus.FAILED, (System.nanoTime() - start) / 1_000_000,
                    "GC.class_histogram failed: " + e);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        Path file = dir.dir().resolve(EvidenceFiles.name(pid, clock.getAsLong(), randomPart.get(), SUFFIX));
        try {
            EvidenceFiles.delete(EvidenceFiles.oldestBeyond(dir.dir(), SUFFIX, Math.max(keep - 1, 0)));
            EvidenceFiles.writeNew(file, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Result.notDone(EvidenceStatus.FAILED, millis, "cannot write " + file + ": " + e);
        }
        Parsed parsed = parse(text, TOP_ROWS);
        return new Result(EvidenceStatus.DONE, file, millis, parsed.totalInstances(), parsed.totalBytes(),
                parsed.rows(), null);
    }

    /**
     * Parses {@code GC.class_histogram} output: a header, a dashed rule, rows
     * {@code "   1:    77033    5169168  [B (java.base@17.0.15)"}, and {@code "Total  <instances>  <bytes>"}.
     * Lines that are not rows are skipped; at most {@code max} rows are kept.
     */
    static Parsed parse(String text, int max) {
        List<Row> rows = new ArrayList<>(Math.min(max, 64));
        long totalInstances = -1;
        long totalBytes = -1;
        int pos = 0;
        int n = text.length();
        while (pos < n) {
            int end = text.indexOf('\n', pos);
            if (end < 0) {
                end = n;
            }
            String line = text.substring(pos, end).trim();
            pos = end + 1;
            if (line.startsWith("Total")) {
                String[] f = fields(line.substring(5), 2);
                if (f != null) {
                    totalInstances = number(f[0]);
                    totalBytes = number(f[1]);
                }
                continue;
            }
            if (rows.size() >= max) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            long rank = number(line.substring(0, colon));
            String[] f = fields(line.substring(colon + 1), 3);
            if (rank < 0 || f == null) {
                continue;
            }
            long instances = number(f[0]);
            long bytes = number(f[1]);
            if (instances < 0 || bytes < 0) {
                continue;
            }
            String rest = f[2];
            String className = rest;
            String module = "";
            int paren = rest.indexOf(" (");
            if (paren > 0 && rest.endsWith(")")) {
                className = rest.substring(0, paren);
                module = rest.substring(paren + 2, rest.length() - 1);
            }
            rows.add(new Row((int) Math.min(rank, Integer.MAX_VALUE), instances, bytes, className, module));
        }
        return new Parsed(List.copyOf(rows), totalInstances, totalBytes);
    }

    /** Splits off {@code count - 1} whitespace-separated fields; the last holds the rest. */
    private static String[] fields(String s, int count) {
        String[] out = new String[count];
        int i = 0;
        int n = s.length();
        for (int k = 0; k < count; k++) {
            while (i < n && s.charAt(i) == ' ') {
                i++;
            }
            if (i >= n) {
                return null;
            }
            if (k == count - 1) {
                out[k] = s.substring(i).trim();
                break;
            }
            int j = i;
            while (j < n && s.charAt(j) != ' ') {
                j++;
            }
            out[k] = s.substring(i, j);
            i = j;
        }
        return out;
    }

    /** A non-negative decimal, or {@code -1}. */
    private static long number(String s) {
        String t = s.trim();
        if (t.isEmpty() || t.length() > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
