package dev.headroom.reconcile;

import java.util.ArrayList;
import java.util.List;

/**
 * The start-up check: would the heap at {@code -Xmx} plus the non-heap at its ceilings fit the
 * memory limit? Estimates each non-heap component the way the Cloud Foundry / Paketo Java memory
 * calculator does (github.com/cloudfoundry/java-buildpack-memory-calculator, README "Algorithm"),
 * so its answer matches what a buildpack user already knows:
 * <ul>
 *   <li>metaspace: {@code MaxMetaspaceSize} if set, else loaded classes x 5,800 B + 14,000,000 B;</li>
 *   <li>code cache: {@code ReservedCodeCacheSize}, in full;</li>
 *   <li>direct memory: {@code MaxDirectMemorySize} if set, else 10 MiB. The JDK's own default
 *       lets direct buffers grow as large as the max heap; budgeting that would double the heap
 *       and call nearly every container too small, so like the calculator we assume 10 MiB and
 *       say so in the item;</li>
 *   <li>thread stacks: threads x {@code ThreadStackSize}, in full (an upper bound: stacks are
 *       touched lazily). Threads: the larger of the live count and the expected count the user
 *       gave. We do not impose the calculator's 250-thread default, which charges 250 MiB of
 *       mostly untouched stacks and would fail most small containers; it is used only when no
 *       count is known at all. A web app started with the agent has few threads at premain, so a
 *       user who knows their pool sizes should pass the expected count.</li>
 * </ul>
 * Not counted: GC bookkeeping, symbols and native libraries' malloc, which the calculator also
 * leaves to its optional "head room". Pure: no MXBeans, the caller reads the inputs.
 */
public final class BudgetCheck {

    private static final long MIB = 1024L * 1024;
    /** Calculator: bytes of metaspace per loaded class. */
    static final long METASPACE_PER_CLASS = 5_800;
    /** Calculator: fixed metaspace overhead when MaxMetaspaceSize is unset (14,000,000 B, about 13.4 MiB). */
    static final long METASPACE_OVERHEAD = 14_000_000;
    /** Calculator: direct memory assumed when MaxDirectMemorySize is unset. */
    static final long DEFAULT_DIRECT = 10 * MIB;
    /** Calculator: thread count for a web application, used only when no count is known. */
    static final int DEFAULT_THREADS = 250;
    /** HotSpot's ThreadStackSize on Linux x64 and aarch64. */
    static final long DEFAULT_STACK = MIB;
    /** HotSpot's ReservedCodeCacheSize with tiered compilation (JDK 9+). */
    static final long DEFAULT_CODE_CACHE = 240 * MIB;

    private BudgetCheck() {
    }

    /** Checks the JVM's ceilings against {@code limitBytes} ({@code <= 0}: no limit). */
    public static Budget check(long limitBytes, JvmBudgetInputs in) {
        List<Budget.Item> items = new ArrayList<>(4);

        if (in.maxMetaspaceBytes() > 0) {
            items.add(new Budget.Item("Metaspace", in.maxMetaspaceBytes(), "-XX:MaxMetaspaceSize"));
        } else {
            long classes = Math.max(0, in.loadedClassCount());
            items.add(new Budget.Item("Metaspace", classes * METASPACE_PER_CLASS + METASPACE_OVERHEAD,
                    classes + " loaded classes x 5,800 B + 14,000,000 B (MaxMetaspaceSize unlimited)"));
        }

        if (in.reservedCodeCacheBytes() >= 0) {
            items.add(new Budget.Item("Code cache", in.reservedCodeCacheBytes(), "-XX:ReservedCodeCacheSize, in full"));
        } else {
            items.add(new Budget.Item("Code cache", DEFAULT_CODE_CACHE, "240 MiB, the JDK default ReservedCodeCacheSize"));
        }

        if (in.maxDirectMemoryBytes() >= 0) {
            items.add(new Budget.Item("Direct buffers", in.maxDirectMemoryBytes(), "-XX:MaxDirectMemorySize"));
        } else {
            items.add(new Budget.Item("Direct buffers", DEFAULT_DIRECT,
                    "10 MiB assumed: MaxDirectMemorySize is unset, so the JDK lets direct buffers grow "
                    + "as large as the max heap; set it to bound them"));
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
        items.add(new Budget.Item("Thread stacks", threads * stack,
                threadWords + " x " + (stack / 1024) + " KiB stack, in full: an upper bound, stacks are touched lazily"));

        long nonHeap = 0;
        for (int i = 0; i < items.size(); i++) {
            nonHeap += items.get(i).bytes();
        }
        long maxHeap = in.maxHeapBytes();
        long total = maxHeap >= 0 ? maxHeap + nonHeap : -1;

        if (limitBytes <= 0) {
            String summary = "There is no memory limit, so nothing to fit: the heap can grow to "
                    + (maxHeap >= 0 ? floorMib(maxHeap) + " MiB" : "an unknown size")
                    + " and non-heap needs about " + ceilMib(nonHeap) + " MiB.";
            return new Budget(-1, maxHeap, items, nonHeap, total, true, -1, List.of(), summary);
        }

        long ceiling = limitBytes - nonHeap;
        boolean roomForHeap = ceiling >= MIB;
        boolean fits = maxHeap >= 0 ? total <= limitBytes : roomForHeap;
        List<String> flags = List.of();
        String summary;
        if (!roomForHeap) {
            summary = "Non-heap alone needs about " + ceilMib(nonHeap) + " MiB, more than the "
                    + floorMib(limitBytes) + " MiB limit: lower the thread count or -Xss, cap "
                    + "-XX:ReservedCodeCacheSize and -XX:MaxMetaspaceSize, or raise the limit.";
        } else if (maxHeap < 0) {
            summary = "The max heap is unknown; after about " + ceilMib(nonHeap) + " MiB of non-heap the "
                    + floorMib(limitBytes) + " MiB limit leaves room for " + floorMib(ceiling) + " MiB of heap.";
        } else if (fits) {
            summary = "Heap can grow to " + floorMib(maxHeap) + " MiB and non-heap needs about "
                    + ceilMib(nonHeap) + " MiB: together they fit the " + floorMib(limitBytes)
                    + " MiB limit with " + floorMib(limitBytes - total) + " MiB to spare.";
        } else {
            String xmx = "-Xmx" + floorMib(ceiling) + "m";
            String percentage = "-XX:MaxRAMPercentage=" + percentage(ceiling, limitBytes);
            flags = List.of(xmx, percentage);
            summary = "Heap can grow to " + floorMib(maxHeap) + " MiB, but the " + floorMib(limitBytes)
                    + " MiB limit leaves room for only " + floorMib(ceiling) + " MiB of heap after "
                    + ceilMib(nonHeap) + " MiB of non-heap: use " + xmx + " or " + percentage + ".";
        }
        return new Budget(limitBytes, maxHeap, items, nonHeap, total, fits, ceiling, flags, summary);
    }

    /**
     * {@code part} as a percentage of {@code whole}, rounded down to one decimal and without a
     * trailing ".0": the JVM sizes the heap as limit x percentage / 100 and aligns it down, so
     * rounding down keeps the heap within the ceiling.
     */
    static String percentage(long part, long whole) {
        long tenths = part * 1000 / whole;
        long whole10 = tenths / 10;
        long decimal = tenths % 10;
        return decimal == 0 ? Long.toString(whole10) : whole10 + "." + decimal;
    }

    private static long floorMib(long bytes) {
        return Math.floorDiv(bytes, MIB);
    }

    private static long ceilMib(long bytes) {
        return -Math.floorDiv(-bytes, MIB);
    }
}
