package dev.headroom.sense.jvm;

import java.util.List;

/**
 * What the JVM says of its own memory at one moment. Bytes; {@code -1} where unknown.
 *
 * @param threadStackSizeBytes the default Java thread stack size ({@code -Xss}/{@code ThreadStackSize})
 * @param nmt                  the NMT summary, {@code null} when NMT is off or was not read this tick
 * @param agent                what the agent itself holds ({@link AgentFootprint#NONE} when not measured)
 * @param classesLoadedTotal   classes loaded since the JVM started, unloaded ones counted too (a rate of
 *                             loading, where {@code loadedClasses} is what is loaded now)
 * @param compilationMillis    the JIT compilers' time so far, summed over their threads
 * @param agentClassLoads      of {@code classesLoadedTotal}, those loaded while the agent's own ticks
 *                             ran (its classes and the JDK's it called into on first use: 180 in the
 *                             half second after its first tick, measured), {@code 0} when not counted
 */
public record JvmMemory(
        long heapUsed,
        long heapCommitted,
        long heapMax,
        List<MemoryPoolUsage> pools,
        List<BufferPoolUsage> bufferPools,
        int threadCount,
        long threadStackSizeBytes,
        long loadedClasses,
        long gcCount,
        long gcTimeMillis,
        NmtSummary nmt,
        AgentFootprint agent,
        long classesLoadedTotal,
        long compilationMillis,
        long agentClassLoads) {

    public JvmMemory {
        pools = List.copyOf(pools);
        bufferPools = List.copyOf(bufferPools);
        agent = agent == null ? AgentFootprint.NONE : agent;
    }

    /**
     * The committed heap the collector has not written yet, so not resident: the sum of each heap
     * pool's committed bytes above its peak use ({@link MemoryPoolUsage#untouchedBytes}), at most
     * the committed heap. {@code -1} unless every heap pool has a peak reading (Serial and Parallel,
     * without AlwaysPreTouch; see {@link MemoryPoolUsage#fillsFromTheBottom}).
     */
    public long heapUntouchedBytes() {
        long untouched = 0;
        boolean any = false;
        for (int i = 0; i < pools.size(); i++) {
            MemoryPoolUsage pool = pools.get(i);
            if (pool == null || !pool.heap()) {
                continue;
            }
            long bytes = pool.untouchedBytes();
            if (bytes < 0) {
                return -1;
            }
            untouched += bytes;
            any = true;
        }
        if (!any || heapCommitted < 0) {
            return -1;
        }
        return Math.min(untouched, heapCommitted);
    }

    /**
     * Classes loaded since the JVM started by anything but the agent's own ticks: the application's
     * and the JVM's pace of loading, which says whether it is starting ({@code -1} when unknown).
     */
    public long classesLoadedByOthers() {
        return classesLoadedTotal < 0 ? -1 : classesLoadedTotal - Math.max(0, agentClassLoads);
    }

    /** A reading without the JVM's start-up counters. */
    public JvmMemory(long heapUsed, long heapCommitted, long heapMax, List<MemoryPoolUsage> pools,
                     List<BufferPoolUsage> bufferPools, int threadCount, long threadStackSizeBytes, long loadedClasses,
                     long gcCount, long gcTimeMillis, NmtSummary nmt, AgentFootprint agent) {
        this(heapUsed, heapCommitted, heapMax, pools, bufferPools, threadCount, threadStackSizeBytes, loadedClasses,
                gcCount, gcTimeMillis, nmt, agent, -1, -1, 0);
    }

    /** A reading without the agent's own figures (fixtures, the {@code inspect} command before it measures itself). */
    public JvmMemory(long heapUsed, long heapCommitted, long heapMax, List<MemoryPoolUsage> pools,
                     List<BufferPoolUsage> bufferPools, int threadCount, long threadStackSizeBytes, long loadedClasses,
                     long gcCount, long gcTimeMillis, NmtSummary nmt) {
        this(heapUsed, heapCommitted, heapMax, pools, bufferPools, threadCount, threadStackSizeBytes, loadedClasses,
                gcCount, gcTimeMillis, nmt, AgentFootprint.NONE);
    }
}
