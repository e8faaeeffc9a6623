package dev.headroom.reconcile;

import dev.headroom.sense.Snapshot;
import dev.headroom.sense.cgroup.CgroupMemory;
import dev.headroom.sense.cgroup.MemoryStat;
import dev.headroom.sense.jvm.BufferPoolUsage;
import dev.headroom.sense.jvm.JvmMemory;
import dev.headroom.sense.jvm.MemoryPoolUsage;
import dev.headroom.sense.jvm.NmtCategory;
import dev.headroom.sense.process.ProcessMemory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import static dev.headroom.reconcile.PartCatalogue.*;

/**
 * The "missing memory" analysis, done from inside the JVM: splits the working set of one
 * {@link Snapshot} into parts that add up to it exactly.
 *
 * <h2>The model</h2>
 * <b>Cgroup level.</b> The kernel charges a cgroup for the user pages it keeps on the cgroup's LRU
 * lists plus kernel memory (Documentation/admin-guide/cgroup-v1/memory.rst 2.7 and 5.2,
 * cgroup-v2.rst "memory.stat"). So, approximately,
 * <pre>
 *   usage       = anon LRU + file LRU + unevictable + kernel
 *   working set = usage - inactive_file
 *               = (active_anon + inactive_anon) + active_file + unevictable + kernel
 * </pre>
 * where the anon LRU <em>includes</em> shmem/tmpfs pages: they are swap-backed, so the kernel
 * keeps them on the anon lists (split LRU, since 2.6.28), while {@code memory.stat} reports them
 * under {@code shmem} (and inside {@code file}/{@code cache}). Kernel memory: on v1 every kmem
 * charge also goes to {@code memory.usage_in_bytes} (the kmem counter is a subset of it), except
 * TCP socket buffers, which v1 charges to {@code kmem.tcp} only; on v2
 * {@code memory.current} includes {@code kernel}. Hence the cgroup's private anon memory is
 * {@code active_anon + inactive_anon - shmem} (or {@code anon}/{@code total_rss}, which excludes
 * shmem on both versions, when the LRU counters are missing).
 *
 * <p><b>Process level.</b> The JVM's private anon memory is its {@code RssAnon} (+ {@code VmSwap}
 * for the pages it owns but that are not in memory). What the JVM tracks (NMT categories, or the
 * MXBean estimates without NMT) is set against it: the rest is native memory the JVM does not
 * track; an excess means committed-but-untouched memory. The cgroup's private anon minus this
 * process's is other processes.
 *
 * <p><b>Without a cgroup, or when the limit is not the cgroup's</b> ({@link Snapshot#watchesProcess()})
 * the working set is the process RSS = RssAnon + RssFile + RssShmem.
 *
 * <p>Whatever cannot be placed goes to {@code unexplained}, computed last as working set minus
 * everything else, so the parts always add up. A counter the kernel or JDK did not report
 * ({@code -1}) adds no part and leaves its share to {@code unexplained}.
 *
 * <p>Called every second: plain loops, one presized list, constant strings.
 */
public final class Reconciler {

    /** Enough for a full NMT summary (about 25 categories) plus the cgroup parts. */
    private static final int EXPECTED_PARTS = 40;

    /** NMT category name to its id, label and source; the set of names is fixed per JDK. */
    private static final ConcurrentHashMap<String, NmtWords> NMT_WORDS = new ConcurrentHashMap<>();
    private static final int NMT_WORDS_MAX = 64;
    private static final String NMT_JAVA_HEAP = NMT_PREFIX + "javaHeap";

    private Reconciler() {
    }

    /**
     * Splits the snapshot's working set into parts. The parts' bytes sum to
     * {@code s.workingSetBytes()} exactly. When the working set itself is unknown ({@code -1}) there
     * is nothing to split and the breakdown has no parts.
     */
    public static Breakdown reconcile(Snapshot s) {
        long workingSet = s.workingSetBytes();
        List<Part> parts = new ArrayList<>(EXPECTED_PARTS);
        if (workingSet < 0) {
            return new Breakdown(s.epochMillis(), -1, s.limitBytes(), parts);
        }
        // The hook between the two modes (Snapshot.watchesProcess): watching the process, its RSS is
        // split as without a cgroup, and the cgroup's other processes and page cache are no part of it.
        CgroupMemory cgroup = s.watchesProcess() ? null : s.cgroup();
        MemoryStat stat = cgroup == null ? null : cgroup.stat();
        ProcessMemory process = s.process() == null ? ProcessMemory.UNKNOWN : s.process();
        JvmMemory jvm = s.jvm();
        boolean v1 = cgroup != null && cgroup.version() == 1;

        // 1. What the JVM tracks.
        long heap = -1;
        long jvmTracked = 0;
        boolean anyJvmPart = false;
        if (jvm != null) {
            int before = parts.size();
            heap = jvm.nmt() != null ? addNmtParts(parts, jvm) : addMxBeanParts(parts, jvm);
            carveAgent(parts, before, jvm);
            for (int i = before; i < parts.size(); i++) {
                jvmTracked += parts.get(i).bytes();
            }
            anyJvmPart = parts.size() > before;
            // The committed heap above what Serial and Parallel have written is not resident. Left
            // inside the JVM-tracked sum it would hide as much native memory, which then "grows" as
            // the heap fills its committed pages (measured: native +13 MiB/s, and a critical level
            // with a heap dump, on a healthy Parallel service whose heap had just expanded).
            long untouched = heap > 0 ? Math.min(jvm.heapUntouchedBytes(), heap) : -1;
            if (untouched > 0) {
                parts.add(PartCatalogue.part(HEAP_UNTOUCHED, -untouched, "heap pools' committed above their peak use"));
                jvmTracked -= untouched;
            }
        }

        // ZGC maps its heap from a memfd (shmem) file, so the committed heap shows in the cgroup's
        // shmem and the process's RssShmem, not in RssAnon. ZGC commits by fallocate(), which
        // allocates the pages, so committed ~ resident. RssShmem counts a page once per mapping
        // (non-generational ZGC maps the heap three times), so the cap comes from the per-page
        // counter where there is one.
        long shmemTotal = stat != null ? stat.shmem() : process.rssShmem();
        long jvmShmem = 0;
        if (heap > 0 && shmemTotal > 0 && heapInShmem(jvm)) {
            jvmShmem = Math.min(heap, shmemTotal);
        }

        // 2. The process: its private memory against what the JVM tracks.
        long privateAnon = stat == null ? -1 : cgroupPrivateAnon(stat);
        long processAnon = process.rssAnon();
        String untrackedSource = jvmShmem > 0 ? "RssAnon + ZGC heap + VmSwap - JVM-tracked" : "RssAnon + VmSwap - JVM-tracked";
        if (processAnon < 0 && cgroup != null && cgroup.processCount() == 1 && privateAnon >= 0) {
            // The JVM is alone in its cgroup: the cgroup's private anon is the JVM's.
            processAnon = privateAnon;
            untrackedSource = "cgroup private anon - JVM-tracked";
        }
        if (anyJvmPart && processAnon >= 0) {
            long resident = processAnon + jvmShmem;
            // Swapped-out pages are still committed by the JVM but are not in the working set.
            long owned = resident + Math.max(0, process.swapBytes());
            long untracked = owned - jvmTracked;
            if (untracked > 0) {
                parts.add(PartCatalogue.part(NATIVE_UNTRACKED, untracked, untrackedSource));
            } else {
                untracked = 0;
            }
            long notResident = resident - jvmTracked - untracked;
            if (notResident < 0) {
                parts.add(PartCatalogue.part(COMMITTED_NOT_RESIDENT, notResident, "RssAnon - JVM-tracked"));
            }
        }

        // 3. The rest of the cgroup, or of the process when there is no cgroup.
        if (stat != null) {
            if (cgroup.processCount() > 1 && privateAnon >= 0 && process.rssAnon() >= 0) {
                long others = privateAnon - process.rssAnon();
                if (others > 0) {
                    parts.add(PartCatalogue.part(OTHER_PROCESSES, others, otherProcessesSource(stat, v1)));
                }
            }
            if (shmemTotal >= 0) {
                parts.add(PartCatalogue.part(SHMEM, shmemTotal - jvmShmem,
                        jvmShmem > 0 ? (v1 ? "memory.stat total_shmem - ZGC heap" : "memory.stat shmem - ZGC heap")
                                : (v1 ? "memory.stat total_shmem" : "memory.stat shmem")));
            }
            if (stat.unevictable() > 0) {
                parts.add(PartCatalogue.part(UNEVICTABLE, stat.unevictable(),
                        v1 ? "memory.stat total_unevictable" : "memory.stat unevictable"));
            }
            if (stat.activeFile() >= 0) {
                parts.add(PartCatalogue.part(ACTIVE_PAGE_CACHE, stat.activeFile(),
                        v1 ? "memory.stat total_active_file" : "memory.stat active_file"));
            }
            addKernel(parts, stat, v1);
        } else {
            if (process.rssFile() >= 0) {
                parts.add(PartCatalogue.part(MAPPED_FILES, process.rssFile(), "RssFile"));
            }
            if (process.rssShmem() >= 0) {
                parts.add(PartCatalogue.part(SHMEM, process.rssShmem() - jvmShmem,
                        jvmShmem > 0 ? "RssShmem - ZGC heap" : "RssShmem"));
            }
        }

        // 4. The remainder, so the parts add up. Negative when the others over-count (timing, rounding).
        long sum = 0;
        for (int i = 0; i < parts.size(); i++) {
            sum += parts.get(i).bytes();
        }
        parts.add(PartCatalogue.part(UNEXPLAINED, workingSet - sum, "working set - all other parts"));
        return new Breakdown(s.epochMillis(), workingSet, s.limitBytes(), parts);
    }

    /**
     * The watcher counts itself: the agent's own retained heap is shown apart, taken out of the heap
     * part it lives in (at most all of it), so the parts still add up to the same total.
     */
    private static void carveAgent(List<Part> parts, int from, JvmMemory jvm) {
        long agentBytes = jvm.agent().heapBytes();
        if (agentBytes <= 0) {
            return;
        }
        for (int i = from; i < parts.size(); i++) {
            Part p = parts.get(i);
            if (p.id().equals(HEAP) || p.id().equals(NMT_JAVA_HEAP)) {
                long carved = Math.min(agentBytes, Math.max(0, p.bytes()));
                String source = p.id().equals(HEAP) ? "MemoryMXBean heap committed, less the agent's own"
                        : "NMT Java Heap committed, less the agent's own";
                parts.set(i, new Part(p.id(), p.label(), p.group(), p.bytes() - carved, source, p.cause()));
                parts.add(i + 1, PartCatalogue.part(AGENT, carved, "the agent's measure of its own objects"));
                return;
            }
        }
    }

    /** One part per NMT category that has committed memory. Returns the Java heap's committed bytes. */
    private static long addNmtParts(List<Part> parts, JvmMemory jvm) {
        long heap = -1;
        List<NmtCategory> categories = jvm.nmt().categories();
        for (int i = 0; i < categories.size(); i++) {
            NmtCategory c = categories.get(i);
            if (c == null || c.name() == null || c.committedBytes() <= 0) {
                continue;
            }
            // The CDS archive is mapped from its file (classes.jsa): its resident pages are
            // page cache (RssFile, memory.stat mapped_file), not anon, so they are not part of
            // what we set against RssAnon. The few pages the JVM writes (relocation) become
            // private copies and land in "native untracked".
            if (c.name().equals("Shared class space")) {
                continue;
            }
            NmtWords words = nmtWords(c.name());
            long committed = c.committedBytes();
            String source = words.source;
            if (c.name().equals("Java Heap") && jvm.heapCommitted() > 0) {
                // NMT is read on a slower cadence than the rest, so between two readings its heap
                // figure is stale; the MemoryMXBean's committed heap is the same quantity, fresh
                // every tick. Without this a growing heap shows up as untracked native memory
                // until the next NMT reading (measured on JDK 25: "native +33 MiB/s" for a heap leak).
                committed = jvm.heapCommitted();
                source = "MemoryMXBean heap committed (NMT Java Heap between NMT readings)";
            }
            parts.add(new Part(words.id, words.label, JVM, committed, source, words.cause));
            if (c.name().equals("Java Heap")) {
                heap = committed;
            }
        }
        return heap;
    }

    /** The MXBean estimates, for a JVM without NMT. Returns the heap's committed bytes. */
    private static long addMxBeanParts(List<Part> parts, JvmMemory jvm) {
        if (jvm.heapCommitted() >= 0) {
            parts.add(PartCatalogue.part(HEAP, jvm.heapCommitted(), "MemoryMXBean heap committed"));
        }
        // The "Metaspace" pool already includes the "Compressed Class Space" pool: HotSpot's
        // MetaspacePool reports the combined statistics of both metaspace types
        // (services/memoryPool.cpp). Adding both would count class space twice.
        long metaspace = -1;
        long classSpace = -1;
        long codeCache = -1;
        List<MemoryPoolUsage> pools = jvm.pools();
        for (int i = 0; i < pools.size(); i++) {
            MemoryPoolUsage pool = pools.get(i);
            if (pool == null || pool.name() == null || pool.heap() || pool.committed() < 0) {
                continue;
            }
            String name = pool.name();
            if (name.equals("Metaspace")) {
                metaspace = pool.committed();
            } else if (name.equals("Compressed Class Space")) {
                classSpace = pool.committed();
            } else if (name.startsWith("CodeHeap") || name.equals("Code Cache")) {
                // Segmented code cache (JDK 9+): three CodeHeap pools; otherwise one "Code Cache".
                codeCache = Math.max(0, codeCache) + pool.committed();
            }
        }
        if (metaspace >= 0) {
            parts.add(PartCatalogue.part(METASPACE, metaspace, "MemoryPoolMXBean Metaspace committed"));
        } else if (classSpace >= 0) {
            parts.add(PartCatalogue.part(METASPACE, classSpace, "MemoryPoolMXBean Compressed Class Space committed"));
        }
        if (codeCache >= 0) {
            parts.add(PartCatalogue.part(CODE_CACHE, codeCache, "MemoryPoolMXBean code cache committed"));
        }
        if (jvm.threadCount() > 0 && jvm.threadStackSizeBytes() > 0) {
            parts.add(PartCatalogue.part(THREAD_STACKS, jvm.threadCount() * jvm.threadStackSizeBytes(),
                    "threads x ThreadStackSize, an upper bound: stacks are touched lazily"));
        }
        // Only the "direct" pool: the "mapped" pools are file-backed (MappedByteBuffer), so their
        // pages are page cache (active_file, mapped_file), not anon memory of this process.
        List<BufferPoolUsage> buffers = jvm.bufferPools();
        for (int i = 0; i < buffers.size(); i++) {
            BufferPoolUsage pool = buffers.get(i);
            if (pool != null && "direct".equals(pool.name()) && pool.memoryUsedBytes() >= 0) {
                parts.add(PartCatalogue.part(DIRECT_BUFFERS, pool.memoryUsedBytes(), "BufferPoolMXBean direct memoryUsed"));
                break;
            }
        }
        long heap = jvm.heapCommitted();
        return heap;
    }

    /** ZGC's heap pools: "ZHeap" (JDK 15-20), "ZGC Young/Old Generation" (generational ZGC). */
    private static boolean heapInShmem(JvmMemory jvm) {
        if (jvm == null) {
            return false;
        }
        List<MemoryPoolUsage> pools = jvm.pools();
        for (int i = 0; i < pools.size(); i++) {
            MemoryPoolUsage pool = pools.get(i);
            if (pool != null && pool.heap() && pool.name() != null
                    && (pool.name().startsWith("ZHeap") || pool.name().startsWith("ZGC "))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The cgroup's private anonymous memory: the anon LRU minus shmem (which lives on the anon LRU
     * because it is swap-backed); else {@code anon}/{@code total_rss}, which excludes shmem.
     */
    private static long cgroupPrivateAnon(MemoryStat stat) {
        if (stat.activeAnon() >= 0 && stat.inactiveAnon() >= 0) {
            return stat.activeAnon() + stat.inactiveAnon() - Math.max(0, stat.shmem());
        }
        return stat.anon();
    }

    private static String otherProcessesSource(MemoryStat stat, boolean v1) {
        if (stat.activeAnon() >= 0 && stat.inactiveAnon() >= 0) {
            return v1 ? "memory.stat total_active_anon + total_inactive_anon - total_shmem - RssAnon"
                    : "memory.stat active_anon + inactive_anon - shmem - RssAnon";
        }
        return v1 ? "memory.stat total_rss - RssAnon" : "memory.stat anon - RssAnon";
    }

    /**
     * Kernel memory charged to the cgroup: v1 {@code memory.kmem.usage_in_bytes}, v2 {@code kernel}.
     * On v2 kernels before 5.18 without {@code kernel}, the sum of the kernel items it does report.
     * Not on v1: there socket buffers are charged to a separate counter (kmem.tcp), not to usage.
     */
    private static void addKernel(List<Part> parts, MemoryStat stat, boolean v1) {
        if (stat.kernel() >= 0) {
            parts.add(PartCatalogue.part(KERNEL_MEMORY, stat.kernel(),
                    v1 ? "memory.kmem.usage_in_bytes" : "memory.stat kernel"));
            return;
        }
        if (v1) {
            return;
        }
        long sum = 0;
        boolean any = false;
        long[] items = {stat.slab(), stat.kernelStack(), stat.pageTables(), stat.sock()};
        for (long item : items) {
            if (item >= 0) {
                sum += item;
                any = true;
            }
        }
        if (any) {
            parts.add(PartCatalogue.part(KERNEL_MEMORY, sum, "memory.stat slab + kernel_stack + pagetables + sock"));
        }
    }

    private static NmtWords nmtWords(String name) {
        NmtWords words = NMT_WORDS.get(name);
        if (words != null) {
            return words;
        }
        words = NmtWords.of(name);
        // Bounded: NMT has a fixed set of categories; a malformed summary must not grow this map.
        if (NMT_WORDS.size() < NMT_WORDS_MAX) {
            NMT_WORDS.putIfAbsent(name, words);
        }
        return words;
    }

    /** {@code "Java Heap"} to {@code "javaHeap"}, {@code "GC"} to {@code "gc"}, {@code "GCCardSet"} to {@code "gcCardSet"}. */
    static String lowerCamel(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean firstWord = true;
        int i = 0;
        int n = name.length();
        while (i < n) {
            while (i < n && !Character.isLetterOrDigit(name.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && Character.isLetterOrDigit(name.charAt(i))) {
                i++;
            }
            if (start == i) {
                break;
            }
            if (firstWord) {
                // Lower the leading capitals, but keep the last one when a lower-case letter follows
                // ("GCCardSet" -> "gcCardSet", "JVMCI" -> "jvmci", "Java" -> "java").
                int caps = start;
                while (caps < i && Character.isUpperCase(name.charAt(caps))) {
                    caps++;
                }
                int lowerUpTo = caps - start > 1 && caps < i ? caps - 1 : Math.max(caps, start + 1);
                for (int k = start; k < i; k++) {
                    char ch = name.charAt(k);
                    out.append(k < lowerUpTo ? Character.toLowerCase(ch) : ch);
                }
                firstWord = false;
            } else {
                out.append(Character.toUpperCase(name.charAt(start)));
                out.append(name, start + 1, i);
            }
        }
        return out.toString();
    }

    /** The constant words of one NMT category, built once per name. */
    private record NmtWords(String id, String label, String source, String cause) {
        static NmtWords of(String name) {
            String id = NMT_PREFIX + lowerCamel(name);
            String label = PartCatalogue.label(id);
            if (label.equals(id)) {
                label = name;
            }
            return new NmtWords(id, label, "NMT " + name + " committed", PartCatalogue.cause(id));
        }
    }
}
