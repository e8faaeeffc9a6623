package dev.headroom.sense.jvm;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ClassLoadingMXBean;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * What the JVM says of its own memory, through its MXBeans. The beans are looked up once; {@link #read} only asks
 * them, so it is cheap enough for every tick. Nothing here throws: a bean that is missing or fails leaves its fields
 * at {@code -1} (or its list empty).
 *
 * <p>A runtime may lack the {@code java.management} module altogether ({@code jlink} without it,
 * {@code --limit-modules}): then every bean is missing. No array or constant of a bean type is
 * made outside a guarded block, since creating one loads the type and would fail the class's
 * own initialisation (found by FaultJdkIT: {@code NoClassDefFoundError: MemoryPoolMXBean} ended
 * the agent).
 */
public final class JvmReader {

    private final MemoryMXBean memory;
    private final MemoryPoolMXBean[] pools;
    private final BufferPoolMXBean[] bufferPools;
    private final ThreadMXBean threads;
    private final ClassLoadingMXBean classLoading;
    /** {@code null} without a JIT or where it keeps no time (the bean's own test). */
    private final CompilationMXBean compilation;
    private final GarbageCollectorMXBean[] collectors;
    private final JvmFlags flags;
    private AgentFootprint agent = AgentFootprint.NONE;
    /** Each pool's use after the last collection, as last asked, and the collection count then. */
    private final long[] afterGc;
    private long afterGcAtCount = -1;
    /** Classes the agent's ticks loaded so far, and the total count at the last {@link #read}. */
    private long agentClassLoads;
    private long classesAtRead = -1;

    public JvmReader() {
        MemoryMXBean memoryBean = null;
        MemoryPoolMXBean[] poolBeans = null;
        BufferPoolMXBean[] bufferBeans = null;
        ThreadMXBean threadBean = null;
        ClassLoadingMXBean classBean = null;
        GarbageCollectorMXBean[] gcBeans = null;
        CompilationMXBean compilationBean = null;
        try {
            memoryBean = ManagementFactory.getMemoryMXBean();
        } catch (RuntimeException | LinkageError e) {
            // stays null: heap fields -1
        }
        try {
            poolBeans = ManagementFactory.getMemoryPoolMXBeans().toArray(new MemoryPoolMXBean[0]);
        } catch (RuntimeException | LinkageError e) {
            // no pools
        }
        try {
            bufferBeans = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).toArray(new BufferPoolMXBean[0]);
        } catch (RuntimeException | LinkageError e) {
            // no buffer pools
        }
        try {
            threadBean = ManagementFactory.getThreadMXBean();
        } catch (RuntimeException | LinkageError e) {
            // thread count -1
        }
        try {
            classBean = ManagementFactory.getClassLoadingMXBean();
        } catch (RuntimeException | LinkageError e) {
            // loaded classes -1
        }
        try {
            CompilationMXBean bean = ManagementFactory.getCompilationMXBean();
            compilationBean = bean != null && bean.isCompilationTimeMonitoringSupported() ? bean : null;
        } catch (RuntimeException | LinkageError e) {
            // compilation time -1
        }
        try {
            gcBeans = ManagementFactory.getGarbageCollectorMXBeans().toArray(new GarbageCollectorMXBean[0]);
        } catch (RuntimeException | LinkageError e) {
            // gc counters -1
        }
        this.memory = memoryBean;
        this.pools = poolBeans;
        this.afterGc = new long[poolBeans == null ? 0 : poolBeans.length];
        this.bufferPools = bufferBeans;
        this.threads = threadBean;
        this.classLoading = classBean;
        this.compilation = compilationBean;
        this.collectors = gcBeans;
        this.flags = JvmFlags.read(VmOptions.platform(), collectorNames(gcBeans));
    }

    /**
     * The agent's latest measure of itself, carried into every following reading (it is measured on a
     * slower cadence than the tick). Set by the thread that calls {@link #read}.
     */
    public void agentFootprint(AgentFootprint footprint) {
        this.agent = footprint == null ? AgentFootprint.NONE : footprint;
    }

    /** The flags, read once at construction. */
    public JvmFlags flags() {
        return flags;
    }

    /**
     * The JVM's memory now.
     *
     * @param nmtOrNull the NMT summary read this tick by the caller ({@link NmtReader}), carried along as is
     */
    public JvmMemory read(NmtSummary nmtOrNull) {
        long heapUsed = -1;
        long heapCommitted = -1;
        long heapMax = -1;
        if (memory != null) {
            try {
                // MemoryUsage's constructor may throw IllegalArgumentException when a collector reports
                // committed > max for a moment while resizing; that tick simply has no heap numbers.
                MemoryUsage heap = memory.getHeapMemoryUsage();
                heapUsed = heap.getUsed();
                heapCommitted = heap.getCommitted();
                heapMax = heap.getMax();
            } catch (RuntimeException e) {
                // -1s
            }
        }
        long gcCount = gcCount();
        long classesTotal = classesLoadedTotal();
        classesAtRead = classesTotal;
        return new JvmMemory(
                heapUsed,
                heapCommitted,
                heapMax,
                poolUsages(gcCount),
                bufferPoolUsages(),
                threadCount(),
                flags.threadStackSize(),
                loadedClasses(),
                gcCount,
                gcTimeMillis(),
                nmtOrNull,
                agent,
                classesTotal,
                compilationMillis(),
                agentClassLoads);
    }

    /**
     * The agent's work of this tick is done: the classes loaded since {@link #read} are counted as
     * the agent's (readings from now on carry them in {@link JvmMemory#agentClassLoads}). A JVM's
     * start is told by its pace of loading classes, and the agent's first ticks load a few hundred
     * of its own and the JDK's (the forecaster, the event log, the publishers on first use), which
     * at a short interval alone looked like a start: a heap leak from the JVM's first second was
     * held back as one, and warned 3.4 to 6.4 s before its kill (3 of 10 runs under the 5 s
     * OomKillIT asks; 6.3 to 7.3 s with this and WarmUp's pace over its whole time). What the
     * application loads in the same milliseconds is counted too; it is small beside this.
     */
    public void agentWorkDone() {
        if (classesAtRead < 0) {
            return;
        }
        long now = classesLoadedTotal();
        if (now > classesAtRead) {
            agentClassLoads += now - classesAtRead;
        }
        classesAtRead = -1;
    }

    /**
     * @param gcCount the collections so far: a pool's use after GC changes only with a collection, so
     *                while the count stands still the last one is kept instead of asked again (a call
     *                into the VM and a {@code MemoryUsage} per pool, every tick, for the same answer)
     */
    private List<MemoryPoolUsage> poolUsages(long gcCount) {
        if (pools == null) {
            return List.of();
        }
        boolean askAfterGc = gcCount < 0 || gcCount != afterGcAtCount;
        afterGcAtCount = gcCount;
        List<MemoryPoolUsage> usages = new ArrayList<>(pools.length);
        for (int i = 0; i < pools.length; i++) {
            MemoryPoolMXBean pool = pools[i];
            String name = "?";
            boolean heap = false;
            try {
                name = pool.getName();
                heap = pool.getType() == MemoryType.HEAP;
                MemoryUsage usage = pool.getUsage(); // null once the pool is no longer valid
                if (usage == null) {
                    continue;
                }
                if (askAfterGc) {
                    afterGc[i] = usedAfterGc(pool.getCollectionUsage());
                }
                long peak = -1;
                if (heap && !flags.alwaysPreTouch() && MemoryPoolUsage.fillsFromTheBottom(name)) {
                    MemoryUsage peakUsage = pool.getPeakUsage();
                    peak = peakUsage == null ? -1 : peakUsage.getUsed();
                }
                usages.add(new MemoryPoolUsage(name, heap, usage.getUsed(), usage.getCommitted(), usage.getMax(),
                        afterGc[i], peak));
            } catch (RuntimeException e) {
                // Asked again next tick.
                afterGcAtCount = -1;
                usages.add(new MemoryPoolUsage(name, heap, -1, -1, -1, -1));
            }
        }
        return usages;
    }

    /**
     * {@code null} for pools no collector manages (Metaspace, CodeHeap). HotSpot answers a usage of all zeros for a
     * pool that has not been collected yet: that is no level either, so it is {@code -1} as well.
     */
    private static long usedAfterGc(MemoryUsage afterGc) {
        if (afterGc == null || (afterGc.getUsed() == 0 && afterGc.getCommitted() == 0)) {
            return -1;
        }
        return afterGc.getUsed();
    }

    private List<BufferPoolUsage> bufferPoolUsages() {
        if (bufferPools == null) {
            return List.of();
        }
        List<BufferPoolUsage> usages = new ArrayList<>(bufferPools.length);
        for (BufferPoolMXBean pool : bufferPools) {
            try {
                usages.add(new BufferPoolUsage(pool.getName(), pool.getCount(), pool.getMemoryUsed(),
                        pool.getTotalCapacity()));
            } catch (RuntimeException e) {
                // a pool that fails is left out this tick
            }
        }
        return usages;
    }

    private int threadCount() {
        try {
            return threads == null ? -1 : threads.getThreadCount();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    // Three plain calls, not one helper taking a method reference: a bound reference is an object
    // made on every tick, in code that stays interpreted.
    private long loadedClasses() {
        try {
            return classLoading == null ? -1 : classLoading.getLoadedClassCount();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private long classesLoadedTotal() {
        try {
            return classLoading == null ? -1 : classLoading.getTotalLoadedClassCount();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private long compilationMillis() {
        try {
            return compilation == null ? -1 : compilation.getTotalCompilationTime();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    // Collectors answer -1 when they do not count (e.g. a concurrent phase bean); those are left out of the sum.
    private long gcCount() {
        long sum = -1;
        if (collectors == null) {
            return sum;
        }
        for (GarbageCollectorMXBean collector : collectors) {
            try {
                long count = collector.getCollectionCount();
                if (count >= 0) {
                    sum = Math.max(sum, 0) + count;
                }
            } catch (RuntimeException e) {
                // skipped
            }
        }
        return sum;
    }

    private long gcTimeMillis() {
        long sum = -1;
        if (collectors == null) {
            return sum;
        }
        for (GarbageCollectorMXBean collector : collectors) {
            try {
                long millis = collector.getCollectionTime();
                if (millis >= 0) {
                    sum = Math.max(sum, 0) + millis;
                }
            } catch (RuntimeException e) {
                // skipped
            }
        }
        return sum;
    }

    private static List<String> collectorNames(GarbageCollectorMXBean[] collectors) {
        if (collectors == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>(collectors.length);
        for (GarbageCollectorMXBean collector : collectors) {
            try {
                names.add(collector.getName());
            } catch (RuntimeException e) {
                // skipped
            }
        }
        return names;
    }
}
