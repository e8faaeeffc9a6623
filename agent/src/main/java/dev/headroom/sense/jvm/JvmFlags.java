package dev.headroom.sense.jvm;

import java.util.List;

/**
 * The memory-relevant flags the JVM runs with, read once. Bytes; {@code -1} where unknown or not set.
 *
 * @param maxHeap               {@code MaxHeapSize} ({@code -Xmx})
 * @param maxMetaspace          {@code MaxMetaspaceSize}; {@code -1} when unlimited (the default)
 * @param reservedCodeCacheSize {@code ReservedCodeCacheSize}
 * @param maxDirectMemory       {@code MaxDirectMemorySize}; {@code -1} for the default, which is the max heap
 *                              ({@code Runtime.maxMemory()}), see {@link #effectiveMaxDirectMemory()}
 * @param threadStackSize       {@code ThreadStackSize} ({@code -Xss}); {@code -1} when 0, i.e. the OS default
 * @param softMaxHeapSize       {@code SoftMaxHeapSize} (JDK 13+)
 * @param heapDumpPath          {@code HeapDumpPath}, {@code null} when not set
 * @param gcNames               the names of the garbage collector MXBeans, e.g. {@code G1 Young Generation}
 * @param nmtMode               {@code NativeMemoryTracking}: {@code off}, {@code summary} or {@code detail}
 * @param alwaysPreTouch        {@code AlwaysPreTouch}: the heap's pages are written when committed, so all of
 *                              the committed heap is resident from the start
 */
public record JvmFlags(
        long maxHeap,
        long maxMetaspace,
        long reservedCodeCacheSize,
        long maxDirectMemory,
        long threadStackSize,
        long softMaxHeapSize,
        String heapDumpPath,
        List<String> gcNames,
        String nmtMode,
        boolean alwaysPreTouch) {

    public JvmFlags {
        gcNames = List.copyOf(gcNames);
    }

    /** The direct memory limit in force: the flag's, else (as {@code jdk.internal.misc.VM} does) the max heap. */
    public long effectiveMaxDirectMemory() {
        return maxDirectMemory >= 0 ? maxDirectMemory : Runtime.getRuntime().maxMemory();
    }

    static JvmFlags read(VmOptions options, List<String> gcNames) {
        long stackKb = size(options.get("ThreadStackSize"));
        String dumpPath = options.get("HeapDumpPath");
        String nmt = options.get("NativeMemoryTracking");
        return new JvmFlags(
                size(options.get("MaxHeapSize")),
                size(options.get("MaxMetaspaceSize")),
                size(options.get("ReservedCodeCacheSize")),
                positiveOrUnknown(size(options.get("MaxDirectMemorySize"))),
                stackKb > 0 && stackKb <= Long.MAX_VALUE / 1024 ? stackKb * 1024 : -1, // the flag is in KB
                size(options.get("SoftMaxHeapSize")),
                dumpPath == null || dumpPath.isEmpty() ? null : dumpPath,
                gcNames,
                nmt == null || nmt.isEmpty() ? "off" : nmt,
                "true".equals(options.get("AlwaysPreTouch")));
    }

    /**
     * A size flag's value, {@code -1} when absent or not a signed long. The unlimited default of
     * {@code MaxMetaspaceSize} is {@code max_uintx} (18446744073709551615), beyond a long: it lands on -1 here.
     */
    private static long size(String value) {
        if (value == null) {
            return -1;
        }
        try {
            long parsed = Long.parseLong(value);
            return parsed >= 0 ? parsed : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    // MaxDirectMemorySize=0 is the JDK's "not set"
    private static long positiveOrUnknown(long value) {
        return value > 0 ? value : -1;
    }
}
