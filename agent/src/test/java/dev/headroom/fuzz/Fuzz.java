package dev.headroom.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A small, dependency-free property runner: each input comes from its own seeded {@link SplittableRandom}, so any
 * failing input is reproduced by its seed alone.
 *
 * <ul>
 *   <li>{@code -Dfuzz.iterations=N}: run about N inputs across the whole suite instead of the default
 *       {@value #DEFAULT_TOTAL}, shared between the parsers in the same proportions as the defaults.</li>
 *   <li>{@code -Dfuzz.seed=S}: a different base seed (decimal or 0x-hex), for a fresh set of inputs.</li>
 *   <li>{@code -Dfuzz.only=S}: run just the input of seed S (printed by a failure), with {@code -Dtest=...}.</li>
 * </ul>
 * Not {@code headroom.*}: those names belong to the agent's own options.
 */
public final class Fuzz {

    /** What the default shares written in the tests add up to (keep in step when a share changes). */
    public static final long DEFAULT_TOTAL = 1_724_000;
    private static final long DEFAULT_SEED = 0x4EAD_5EED_2026_0001L;
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;
    private static final int MAX_SHOWN = 4096;

    private static final List<Path> scratch = new ArrayList<>();
    private static long suiteInputs;
    private static long suiteNanos;

    private Fuzz() {
    }

    /** Produces one input from a random source. */
    @FunctionalInterface
    public interface Generator<T> {
        T next(SplittableRandom random) throws Exception;
    }

    /** Checks one input; throws (an assertion or anything the code under test let escape) when it does not hold. */
    @FunctionalInterface
    public interface Property<T> {
        void check(T input) throws Exception;
    }

    /** Counts and times of one test class, printed by its {@code @AfterAll}. */
    public static final class Tally {
        private final String family;
        private final List<String> rows = new ArrayList<>();
        private long inputs;
        private long nanos;

        public Tally(String family) {
            this.family = family;
        }

        synchronized void add(String name, long count, long elapsed) {
            rows.add(String.format(Locale.ROOT, "  %-32s %,10d inputs %8.2f s %8.1f us/input", name, count,
                    elapsed / 1e9, count == 0 ? 0 : elapsed / 1e3 / count));
            inputs += count;
            nanos += elapsed;
        }

        /** Prints this class's counts and the suite's running total. */
        public synchronized void print() {
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "fuzz %s: %,d inputs in %.2f s%n", family, inputs, nanos / 1e9));
            for (String row : rows) {
                out.append(row).append(System.lineSeparator());
            }
            synchronized (Fuzz.class) {
                out.append(String.format(Locale.ROOT, "fuzz suite so far: %,d inputs in %.2f s", suiteInputs,
                        suiteNanos / 1e9));
            }
            System.out.println(out);
        }
    }

    /** How many inputs a property runs: its default share, scaled by {@code -Dfuzz.iterations}. */
    public static int iterations(int defaultShare) {
        String total = System.getProperty("fuzz.iterations");
        if (total == null || total.isBlank()) {
            return defaultShare;
        }
        long scaled = Math.round((double) defaultShare * Long.parseLong(total.trim().replace("_", "")) / DEFAULT_TOTAL);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, scaled));
    }

    public static <T> void run(Tally tally, String name, int defaultShare, Generator<T> generator, Property<T> property) {
        run(tally, name, defaultShare, generator, String::valueOf, property);
    }

    /**
     * Runs {@code property} on {@link #iterations(int)} generated inputs.
     *
     * @param describe how to show an input in a failure message (it is escaped and cut to a few KB)
     * @throws AssertionError on the first input that fails, naming its seed and showing it
     */
    public static <T> void run(Tally tally, String name, int defaultShare, Generator<T> generator,
            Function<? super T, String> describe, Property<T> property) {
        String only = System.getProperty("fuzz.only");
        long base = seedProperty("fuzz.seed", DEFAULT_SEED) + name.hashCode() * GOLDEN;
        int n = only != null ? 1 : iterations(defaultShare);
        long started = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long seed = only != null ? seedProperty("fuzz.only", 0) : base + i * GOLDEN;
            T input;
            try {
                input = generator.next(new SplittableRandom(seed));
            } catch (Throwable t) {
                throw new AssertionError(name + ": generator failed at seed " + hex(seed), t);
            }
            try {
                property.check(input);
            } catch (Throwable t) {
                String shown;
                try {
                    shown = escape(describe.apply(input));
                } catch (RuntimeException e) {
                    shown = "(cannot describe: " + e + ")";
                }
                throw new AssertionError(name + " failed on input #" + i + ", seed " + hex(seed)
                        + " (rerun just this input with -Dfuzz.only=" + hex(seed) + ")\n"
                        + "cause: " + t + "\ninput: " + shown, t);
            }
        }
        long elapsed = System.nanoTime() - started;
        tally.add(name, n, elapsed);
        synchronized (Fuzz.class) {
            suiteInputs += n;
            suiteNanos += elapsed;
        }
    }

    /**
     * A fresh directory for the files a property writes, on tmpfs ({@code /dev/shm}) where there is one: the
     * file-based parsers write a file per input, and a disk-backed temp directory makes that ten times slower.
     * Deleted when the JVM exits.
     */
    public static synchronized Path scratchDirectory(String name) throws IOException {
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "headroom-fuzz-" + name)
                : Files.createTempDirectory("headroom-fuzz-" + name);
        if (scratch.isEmpty()) {
            Runtime.getRuntime().addShutdownHook(new Thread(Fuzz::deleteScratch, "fuzz-scratch-cleanup"));
        }
        scratch.add(dir);
        return dir;
    }

    private static synchronized void deleteScratch() {
        for (Path dir : scratch) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // best effort: the directory is in a temp file system
            }
        }
    }

    /** Java-escaped, so control characters, tabs, CRs and odd unicode are visible; cut to a few KB. */
    public static String escape(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_SHOWN) + 32).append('"');
        int shown = Math.min(s.length(), MAX_SHOWN);
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                default -> {
                    if (c < 0x20 || c >= 0x7f) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
        if (s.length() > shown) {
            out.append(" ... (").append(s.length() - shown).append(" more chars)");
        }
        return out.toString();
    }

    private static String hex(long seed) {
        return "0x" + Long.toHexString(seed);
    }

    private static long seedProperty(String name, long otherwise) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        v = v.trim();
        return v.startsWith("0x") || v.startsWith("0X") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
    }
}
