package dev.headroom.publish.jmx;

/**
 * The management interface of {@code dev.headroom:type=Headroom}. Attributes show the latest tick;
 * before the first one, numbers are {@code -1} ({@code NaN} for {@link #getSecondsToLimit()}), the
 * level is {@code UNKNOWN} and the breakdown is empty. Every type is an open type (long, double,
 * String, CompositeData[]), so JConsole and VisualVM show it all without Headroom's classes.
 */
public interface HeadroomMXBean {

    /** The container's memory limit in bytes; -1 when none is set. */
    long getLimitBytes();

    /** Where the limit comes from, e.g. {@code memory.max} or the {@code limit} option. */
    String getLimitSource();

    /** The working set in bytes, as the kubelet computes it (usage minus inactive file). */
    long getWorkingSetBytes();

    /** Limit minus unreclaimable memory (what the kernel cannot reclaim before its OOM killer runs), in bytes; -1 when no limit is set. */
    long getHeadroomBytes();

    /** Forecast seconds until the working set reaches the limit; NaN when it is not heading there. */
    double getSecondsToLimit();

    /** OK, WARNING or CRITICAL (UNKNOWN before the first tick). */
    String getLevel();

    /** The working set split into parts that add up to it. */
    BreakdownRow[] getBreakdown();

    /** 1 or 2; -1 when the process is in no memory cgroup. */
    int getCgroupVersion();

    /** Heap dumps the agent wrote so far. */
    int getDumpsTaken();

    /**
     * The largest heap the limit leaves room for with non-heap at its measured peak (the measured
     * budget, docs/sizing.md); -1 until the service has settled or without a limit.
     */
    long getMeasuredHeapCeilingBytes();

    /** The measured budget in words (the same sentence as the {@code budget} event); empty until settled. */
    String getMeasuredBudget();

    /** Writes a heap dump; returns its path or the reason none was written. */
    String dumpHeap(boolean live);

    /** The class histogram as text. */
    String classHistogram();

    /** The reconciliation of the working set as text. */
    String report();

    /** Gives free glibc heap back to the system; returns what happened. */
    String trimNativeHeap();
}
