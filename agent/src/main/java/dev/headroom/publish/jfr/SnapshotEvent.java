package dev.headroom.publish.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Frequency;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Percentage;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** One tick of the agent, as JDK Mission Control and {@code jfr print} show it. */
@Name("dev.headroom.Snapshot")
@Label("Container Memory Snapshot")
@Category({"Headroom"})
@Description("The container's working set against its memory limit, what fills it, and the forecast OOM kill")
@StackTrace(false)
final class SnapshotEvent extends jdk.jfr.Event {

    @Label("Working Set")
    @Description("Cgroup usage minus inactive file pages, as the kubelet computes it (evictions, kubectl top)")
    @DataAmount(DataAmount.BYTES)
    long workingSet;

    @Label("Unreclaimable Memory")
    @Description("What the kernel cannot reclaim before its OOM killer runs: usage minus clean page cache "
            + "and reclaimable slab; the level and the forecast are built on it")
    @DataAmount(DataAmount.BYTES)
    long unreclaimable;

    @Label("Limit")
    @Description("The container's memory limit; -1 when none is set")
    @DataAmount(DataAmount.BYTES)
    long limit;

    @Label("Headroom")
    @Description("Limit minus unreclaimable memory; -1 when no limit is set")
    @DataAmount(DataAmount.BYTES)
    long headroom;

    @Label("Cgroup Usage")
    @Description("Cgroup memory usage including all page cache; -1 without a memory cgroup")
    @DataAmount(DataAmount.BYTES)
    long usage;

    @Label("Time to Limit")
    @Description("Forecast time until the unreclaimable memory reaches the limit; N/A when it is not heading there")
    @Timespan(Timespan.SECONDS)
    long secondsToLimit;

    @Label("Growth Rate")
    @Description("The working set's robust growth rate")
    @DataAmount(DataAmount.BYTES)
    @Frequency
    double growthRate;

    @Label("Forecast Confidence")
    @Percentage
    double confidence;

    @Label("Level")
    @Description("OK, WARNING or CRITICAL")
    String level;

    @Label("Heap Used")
    @DataAmount(DataAmount.BYTES)
    long heapUsed;

    @Label("Heap Committed")
    @DataAmount(DataAmount.BYTES)
    long heapCommitted;

    @Label("JVM")
    @Description("Parts the JVM tracks itself: heap, metaspace, code cache, thread stacks, direct buffers")
    @DataAmount(DataAmount.BYTES)
    long jvm;

    @Label("Native")
    @Description("Native memory outside the JVM's own accounts (the native group of the breakdown)")
    @DataAmount(DataAmount.BYTES)
    long nativeMemory;

    @Label("Native Untracked")
    @Description("Native memory the JVM does not track: malloc arenas of JNI libraries, glibc arenas; -1 when "
            + "the breakdown has no such part")
    @DataAmount(DataAmount.BYTES)
    long nativeUntracked;

    @Label("Page Cache")
    @Description("Page cache the kubelet counts: active file pages, mapped files")
    @DataAmount(DataAmount.BYTES)
    long pageCache;

    @Label("Kernel")
    @Description("Kernel memory charged to the cgroup: slab, sockets, page tables, kernel stacks")
    @DataAmount(DataAmount.BYTES)
    long kernel;

    @Label("Other")
    @Description("Other processes, shared memory and tmpfs, unevictable pages, and what no counter explains")
    @DataAmount(DataAmount.BYTES)
    long other;

    @Label("Breakdown")
    @Description("Every part as id=bytes, in the breakdown's order")
    String parts;

    @Label("Cgroup Version")
    @Description("1 or 2; -1 when the process is in no memory cgroup")
    int cgroupVersion;

    @Label("Heap Dumps Taken")
    int dumpsTaken;
}
