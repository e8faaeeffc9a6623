package dev.headroom.reconcile;

import java.util.ArrayList;
import java.util.List;

/**
 * The start-up check: will the heap at {@code -Xmx} fit the memory limit beside the non-heap
 * memory? It says what it knows and no more, on two bases:
 * <ul>
 *   <li><b>worst case</b>: every reserved size in full: {@code ReservedCodeCacheSize},
 *       {@code MaxDirectMemorySize} (or the max heap, the JDK's bound when it is unset),
 *       threads x {@code -Xss}, {@code MaxMetaspaceSize} or the Cloud Foundry / Paketo memory
 *       calculator's class estimate. This is what the calculator budgets; it is said, never warned
 *       about: a 240 MiB code cache that JIT never fills made every small container look too small.</li>
 *   <li><b>expected</b>: today's committed sizes with the JDK's known growth patterns. The code cache
 *       grows as the JIT compiles, to a fraction of its reservation
 *       ({@link #CODE_CACHE_EXPECTED_DIVISOR}); metaspace grows with the classes loaded (the
 *       calculator's 5,800 B a class + 14,000,000 B, or today's committed if larger); a thread's
 *       stack is resident only as deep as its calls go ({@link #EXPECTED_STACK_RESIDENT} a thread);
 *       direct buffers as held now.</li>
 * </ul>
 * It warns ({@link Budget#fits()} false) only when the heap cannot fit even with the expected
 * non-heap. Its flags are ones the JVM applies to the same number: {@code -XX:MaxRAMPercentage} only
 * where the limit is the one the JVM sizes its heap from (the cgroup limit it sees); with the
 * {@code limit} option on a host without one the JVM applies the percentage to host memory, so only
 * {@code -Xmx} is suggested. Not counted here: GC bookkeeping, symbols and native libraries'
 * malloc, which the measured budget ({@link SizingPeaks}) sees once the service has run. Pure: the
 * caller reads the inputs.
 */
public final class BudgetCheck {

    private static final long MIB = 1024L * 1024;
    /** Calculator: bytes of metaspace per loaded class. */
    static final long METASPACE_PER_CLASS = 5_800;
    /** Calculator: fixed metaspace overhead (14,000,000 B, about 13.4 MiB). */
    static final long METASPACE_OVERHEAD = 14_000_000;
    /** Calculator: thread count for a web application, used only when no count is known. */
    static final int DEFAULT_THREADS = 250;
    /** HotSpot's ThreadStackSize on Linux x64 and aarch64. */
    static final long DEFAULT_STACK = MIB;
    /** HotSpot's ReservedCodeCacheSize with tiered compilation (JDK 9+). */
    static final long DEFAULT_CODE_CACHE = 240 * MIB;
    /**
     * The code cache expected: a quarter of the reservation (60 MiB of the default 240 MiB). The JIT
     * compiles only what runs hot; the Spring Boot sample settles at a few tens of MiB (docs/sizing.md
     * has the measured figures), small services far lower.
     */
    static final long CODE_CACHE_EXPECTED_DIVISOR = 4;
    /**
     * Resident stack expected per thread: HotSpot reserves {@code -Xss} but the kernel backs only the
     * pages a thread's calls have touched; the guard pages are never resident.
     */
    static final long EXPECTED_STACK_RESIDENT = 256 * 1024;

    private BudgetCheck() {
    }

    /**
     * Checks the heap against {@code limitBytes} ({@code <= 0}: no limit).
     *
     * @param jvmSizesFromLimit whether the JVM sized its heap from this limit (see {@link Budget#jvmSizesFromLimit()})
     */
    public static Budget check(long limitBytes, boolean jvmSizesFromLimit, JvmBudgetInputs in) {
        List<Budget.Item> items = new ArrayList<>(4);
        long maxHeap = in.maxHeapBytes();

        long classes = Math.max(0, in.loadedClassCount());
        long byClasses = classes * METASPACE_PER_CLASS + METASPACE_OVERHEAD;
        long metaspaceExpected = Math.max(byClasses, in.committedMetaspaceBytes());
        if (in.maxMetaspaceBytes() > 0) {
            items.add(new Budget.Item("Metaspace", Math.min(metaspaceExpected, in.maxMetaspaceBytes()),
                    in.maxMetaspaceBytes(), classes + " loaded classes x 5,800 B + 14,000,000 B; at most "
                    + "-XX:MaxMetaspaceSize"));
        } else {
            items.add(new Budget.Item("Metaspace", metaspaceExpected, metaspaceExpected,
                    classes + " loaded classes x 5,800 B + 14,000,000 B, grows with every class loaded "
                    + "(MaxMetaspaceSize unlimited)"));
        }

        long reserved = in.reservedCodeCacheBytes() >= 0 ? in.reservedCodeCacheBytes() : DEFAULT_CODE_CACHE;
        long codeExpected = Math.max(reserved / CODE_CACHE_EXPECTED_DIVISOR, Math.max(0, in.committedCodeCacheBytes()));
        items.add(new Budget.Item("Code cache", Math.min(codeExpected, reserved), reserved,
                "a quarter of the " + floorMib(reserved) + " MiB ReservedCodeCacheSize"
                + (in.committedCodeCacheBytes() >= 0 ? " (" + ceilMib(in.committedCodeCacheBytes()) + " MiB committed now)" : "")
                + "; grows as the JIT compiles, rarely to the full reservation"));

        long directNow = Math.max(0, in.directBytes());
        if (in.maxDirectMemoryBytes() >= 0) {
            items.add(new Budget.Item("Direct buffers", Math.min(directNow, in.maxDirectMemoryBytes()),
                    in.maxDirectMemoryBytes(), "as held now; at most -XX:MaxDirectMemorySize"));
        } else {
            items.add(new Budget.Item("Direct buffers", directNow, Math.max(directNow, maxHeap),
                    "as held now; MaxDirectMemorySize is unset, so the JDK lets them grow as large as the "
                    + "max heap: set it to bound them"));
        }

        int threads = Math.max(in.liveThreads(), in.expectedThreads());
        String threadWords;
        if (threads <= 0) {
            threads = DEFAULT_THREADS;
            threadWords = "250 threads (thread count unknown; the memory calculator's default)";
        } else if (in.expectedThreads() >= in.liveThreads()) {
            threadWords = threads + " threads (expected)";
        } else {
            threadWords = threads + " threads (alive at start)";
        }
        long stack = in.threadStackSizeBytes() > 0 ? in.threadStackSizeBytes() : DEFAULT_STACK;
        long resident = Math.min(stack, EXPECTED_STACK_RESIDENT);
        items.add(new Budget.Item("Thread stacks", threads * resident, threads * stack,
                threadWords + " x " + (resident / 1024) + " KiB resident; at most x " + (stack / 1024)
                + " KiB, the -Xss each reserves"));

        long expectedNonHeap = 0;
        long worstNonHeap = 0;
        for (Budget.Item item : items) {
            expectedNonHeap += item.bytes();
            worstNonHeap += item.worstCaseBytes();
        }
        long limit = limitBytes > 0 ? limitBytes : -1;
        HeapCeiling expected = new HeapCeiling(limit, expectedNonHeap, HeapCeiling.EXPECTED);
        HeapCeiling worst = new HeapCeiling(limit, worstNonHeap, HeapCeiling.WORST_CASE);

        if (limit < 0) {
            String summary = "There is no memory limit, so nothing to fit: the heap can grow to "
                    + (maxHeap >= 0 ? floorMib(maxHeap) + " MiB" : "an unknown size")
                    + "; non-heap is expected to need about " + ceilMib(expectedNonHeap) + " MiB, "
                    + ceilMib(worstNonHeap) + " MiB at worst.";
            return new Budget(-1, false, maxHeap, items, expected, worst, true, true, List.of(), summary);
        }

        boolean roomForHeap = expected.bytes() >= MIB;
        boolean fits = maxHeap >= 0 ? maxHeap + expectedNonHeap <= limit : roomForHeap;
        boolean fitsWorst = maxHeap >= 0 ? maxHeap + worstNonHeap <= limit : worst.bytes() >= MIB;
        List<String> flags = List.of();
        String summary;
        if (!roomForHeap) {
            summary = "Non-heap is expected to need about " + ceilMib(expectedNonHeap) + " MiB, more than the "
                    + floorMib(limit) + " MiB limit: lower the thread count or -Xss, cap "
                    + "-XX:ReservedCodeCacheSize and -XX:MaxMetaspaceSize, or raise the limit.";
        } else if (maxHeap < 0) {
            summary = "The max heap is unknown; " + expected.words() + "; " + worst.words() + ".";
        } else if (fits) {
            summary = "Heap can grow to " + floorMib(maxHeap) + " MiB and fits: " + expected.words()
                    + (fitsWorst ? "; it fits even at the worst case, " + worst.words()
                    : "; only if every reserved size were used in full would it not: " + worst.words())
                    + ".";
        } else {
            String xmx = "-Xmx" + floorMib(expected.bytes()) + "m";
            if (jvmSizesFromLimit) {
                String percentage = "-XX:MaxRAMPercentage=" + percentage(expected.bytes(), limit);
                flags = List.of(xmx, percentage);
                summary = "Heap can grow to " + floorMib(maxHeap) + " MiB, more than the " + expected.words()
                        + ": use " + xmx + " or " + percentage + ".";
            } else {
                flags = List.of(xmx);
                summary = "Heap can grow to " + floorMib(maxHeap) + " MiB, more than the " + expected.words()
                        + ": use " + xmx + " (not MaxRAMPercentage: this limit is not one the JVM sizes its heap "
                        + "from, so a percentage would apply to the memory the JVM sees).";
            }
        }
        return new Budget(limit, jvmSizesFromLimit, maxHeap, items, expected, worst, fits, fitsWorst, flags, summary);
    }

    /**
     * {@code part} as a percentage of {@code whole}, rounded down to one decimal and without a
     * trailing ".0": the JVM sizes the heap as limit x percentage / 100 and aligns it down, so
     * rounding down keeps the heap within the ceiling.
     */
    public static String percentage(long part, long whole) {
        long tenths = part * 1000 / whole;
        long whole10 = tenths / 10;
        long decimal = tenths % 10;
        return decimal == 0 ? Long.toString(whole10) : whole10 + "." + decimal;
    }

    private static long floorMib(long bytes) {
        return HeapCeiling.floorMib(bytes);
    }

    private static long ceilMib(long bytes) {
        return HeapCeiling.ceilMib(bytes);
    }
}
