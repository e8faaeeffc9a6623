package dev.headroom.samples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An allocation-heavy service in miniature: each operation builds a small request (a map of
 * strings, a list of boxed numbers, a 1 KiB buffer), "handles" it and throws it away, about 2 KiB
 * of short-lived objects an operation, so the young collector runs several times a second.
 *
 * <p>Arguments: {@code [seconds measured, default 10] [seconds of warm-up first, default 5]}.
 * Prints {@code allocation-load done: <ops/s> ops/s; slices (ops per second): <n> <n> ...} for
 * the measured part only: the mean rate, then each one-second slice.
 */
public final class AllocationLoad {

    /** Written so the JIT cannot drop the work. */
    static volatile long sink;

    public static void main(String[] args) {
        double measured = Rate.arg(args, 0, 10);
        double warmup = Rate.arg(args, 1, 5);
        Rate.ready("allocation-load", measured + " s measured after " + warmup + " s of warm-up");
        run((long) (warmup * 1e9));
        // Measured in one-second slices: a benchmark can take the median slice, which a moment of
        // someone else's load on the machine (or a full GC) moves far less than the mean.
        int slices = Math.max(1, (int) Math.round(measured));
        long[] ops = new long[slices];
        long start = System.nanoTime();
        long total = 0;
        for (int i = 0; i < slices; i++) {
            ops[i] = run(1_000_000_000L);
            total += ops[i];
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        StringBuilder each = new StringBuilder();
        for (long n : ops) {
            each.append(' ').append(n);
        }
        Rate.done("allocation-load", String.format(java.util.Locale.ROOT, "%.0f ops/s; slices (ops per second):%s",
                total / seconds, each));
    }

    /** Runs operations for about {@code nanos} and returns how many ran. */
    private static long run(long nanos) {
        long end = System.nanoTime() + nanos;
        long ops = 0;
        long checksum = 0;
        while (true) {
            // Check the clock every 256 operations: the clock read must not be the load.
            for (int i = 0; i < 256; i++) {
                checksum += operation(ops++);
            }
            if (System.nanoTime() >= end) {
                break;
            }
        }
        sink += checksum;
        return ops;
    }

    private static long operation(long n) {
        Map<String, String> headers = new HashMap<>();
        headers.put("id", Long.toString(n));
        headers.put("kind", (n & 1) == 0 ? "even" : "odd");
        List<Long> values = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            values.add(n + i);
        }
        byte[] body = new byte[1024];
        body[(int) (n & 1023)] = (byte) n;
        long sum = body[(int) (n & 1023)];
        for (Long v : values) {
            sum += v;
        }
        return sum + headers.get("id").length();
    }
}
