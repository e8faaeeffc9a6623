package dev.headroom.reconcile;

import dev.headroom.sense.Snapshot;
import dev.headroom.sense.cgroup.CgroupMemory;
import dev.headroom.sense.cgroup.MemoryEvents;
import dev.headroom.sense.cgroup.MemoryStat;
import dev.headroom.sense.jvm.AgentFootprint;
import dev.headroom.sense.jvm.BufferPoolUsage;
import dev.headroom.sense.jvm.JvmMemory;
import dev.headroom.sense.jvm.MemoryPoolUsage;
import dev.headroom.sense.jvm.NmtCategory;
import dev.headroom.sense.jvm.NmtSummary;
import dev.headroom.sense.process.ProcessMemory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds snapshots shaped like a real one: a Spring Boot service with G1 in a 512 MiB pod. Fields
 * are public and mutable so a test changes the one number it is about; {@link #build()} makes the
 * records. Defaults are the cgroup v1 case ({@link #v1WithoutNmt()}).
 */
public final class SnapshotFixture {

    public static final long KIB = 1024;
    public static final long MIB = 1024 * KIB;

    // The cgroup; cgroup = false means a process without one (a laptop).
    public boolean cgroup = true;
    public int version = 1;
    public long limit = 512 * MIB;
    public long usage;
    public int processCount = 1;
    public long anon, file, activeAnon, inactiveAnon, activeFile, inactiveFile, unevictable, shmem, mappedFile;
    public long slab = -1, kernelStack = -1, pageTables = -1, sock = -1, kernel;
    public long workingSetOverride = Long.MIN_VALUE;

    // The process, from /proc/self/status.
    public long rss, rssAnon, rssFile, rssShmem, swap;
    public int threads;

    // The JVM.
    public long heapUsed, heapCommitted, heapMax;
    public final List<MemoryPoolUsage> pools = new ArrayList<>();
    public final List<BufferPoolUsage> bufferPools = new ArrayList<>();
    public int threadCount;
    public long threadStackSize;
    public long loadedClasses;
    public List<NmtCategory> nmt;
    /** The agent's own retained heap as it measured it; -1: not measured. */
    public long agentHeap = -1;

    private SnapshotFixture() {
    }

    /**
     * cgroup v1, one process, no NMT. memory.stat (total_* values) as a JVM with a 256 MiB committed
     * heap produces it: 380 MiB active anon, 24 MiB inactive anon of which 2 MiB shmem, 30 MiB active
     * and 33 MiB inactive file, 9.5 MiB kmem; usage 12 KiB above the LRU sum (the charge batching).
     * Working set = 499,658,752 - 34,603,008 = 465,055,744 B (443.5 MiB + 12 KiB).
     */
    public static SnapshotFixture v1WithoutNmt() {
        SnapshotFixture f = new SnapshotFixture();
        f.version = 1;
        f.activeAnon = 380 * MIB;          // 398,458,880
        f.inactiveAnon = 24 * MIB;         //  25,165,824
        f.shmem = 2 * MIB;                 //   2,097,152
        f.anon = 402 * MIB;                // total_rss: anon LRU without shmem
        f.activeFile = 30 * MIB;           //  31,457,280
        f.inactiveFile = 33 * MIB;         //  34,603,008
        f.file = 65 * MIB;                 // total_cache = shmem + active_file + inactive_file
        f.mappedFile = 18 * MIB;
        f.unevictable = 0;
        f.kernel = 9_961_472;              // memory.kmem.usage_in_bytes, 9.5 MiB
        f.usage = 499_658_752;             // 404 + 63 MiB + 9.5 MiB + 12,288 B
        f.processCount = 1;

        f.rssAnon = 400 * MIB;             // 419,430,400
        f.rssFile = 24 * MIB;
        f.rssShmem = 0;
        f.rss = f.rssAnon + f.rssFile + f.rssShmem;
        f.swap = 0;
        f.threads = 28;

        f.heapUsed = 180 * MIB;
        f.heapCommitted = 256 * MIB;       // 268,435,456
        f.heapMax = 384 * MIB;             // MaxRAMPercentage=75 of 512 MiB
        f.pools.add(new MemoryPoolUsage("G1 Eden Space", true, 64 * MIB, 150 * MIB, -1, 0));
        f.pools.add(new MemoryPoolUsage("G1 Old Gen", true, 110 * MIB, 100 * MIB, 384 * MIB, 95 * MIB));
        f.pools.add(new MemoryPoolUsage("G1 Survivor Space", true, 6 * MIB, 6 * MIB, -1, 6 * MIB));
        f.pools.add(new MemoryPoolUsage("CodeHeap 'non-nmethods'", false, 1_400_000, 2_555_904, 5_836_800, -1));
        f.pools.add(new MemoryPoolUsage("Metaspace", false, 68 * MIB, 70 * MIB, -1, -1)); // 73,400,320, class space included
        f.pools.add(new MemoryPoolUsage("CodeHeap 'profiled nmethods'", false, 11 * MIB, 12_582_912, 122_908_672, -1));
        f.pools.add(new MemoryPoolUsage("Compressed Class Space", false, 8 * MIB, 9 * MIB, 1024 * MIB, -1));
        f.pools.add(new MemoryPoolUsage("CodeHeap 'non-profiled nmethods'", false, 5 * MIB, 5_308_416, 122_912_768, -1));
        // code cache committed = 2,555,904 + 12,582,912 + 5,308,416 = 20,447,232 (19.5 MiB)
        f.bufferPools.add(new BufferPoolUsage("direct", 12, 4 * MIB, 4 * MIB));
        f.bufferPools.add(new BufferPoolUsage("mapped", 3, 16 * MIB, 16 * MIB));
        f.bufferPools.add(new BufferPoolUsage("mapped - 'non-volatile memory'", 0, 0, 0));
        f.threadCount = 28;                // x 1 MiB = 29,360,128
        f.threadStackSize = MIB;
        f.loadedClasses = 14_200;
        return f;
    }

    /**
     * cgroup v2, one process, NMT summary as JDK 17 prints it (committed values in KB). memory.stat:
     * anon 426 MiB, active_anon 420 + inactive_anon 10 MiB (4 MiB of it shmem), active_file 40 MiB,
     * inactive_file 28 MiB, kernel 12 MiB; memory.current 510 MiB, working set 482 MiB.
     * NMT committed (without the CDS archive) = 399.25 MiB; RssAnon 424 MiB.
     */
    public static SnapshotFixture v2WithNmt() {
        SnapshotFixture f = v1WithoutNmt();
        f.version = 2;
        f.activeAnon = 420 * MIB;
        f.inactiveAnon = 10 * MIB;
        f.shmem = 4 * MIB;
        f.anon = 426 * MIB;
        f.activeFile = 40 * MIB;
        f.inactiveFile = 28 * MIB;
        f.file = 72 * MIB;
        f.mappedFile = 20 * MIB;
        f.slab = 7 * MIB;
        f.kernelStack = 1_835_008;
        f.pageTables = 2 * MIB;
        f.sock = 0;
        f.kernel = 12 * MIB;
        f.usage = 510 * MIB;               // 430 + 68 + 12 MiB
        f.rssAnon = 424 * MIB;
        f.rss = f.rssAnon + f.rssFile + f.rssShmem;
        f.nmt = new ArrayList<>(List.of(
                nmt("Java Heap", 393_216, 262_144),          // 256 MiB
                nmt("Class", 1_114_112, 61_440),             // 60 MiB
                nmt("Thread", 29_700, 29_696),               // 29 MiB
                nmt("Code", 251_904, 21_504),                // 21 MiB
                nmt("GC", 60_000, 14_336),                   // 14 MiB
                nmt("Compiler", 512, 512),
                nmt("Internal", 1_024, 1_024),
                nmt("Other", 4_096, 4_096),                  // 4 MiB
                nmt("Symbol", 12_288, 12_288),               // 12 MiB
                nmt("Native Memory Tracking", 1_024, 1_024),
                nmt("Shared class space", 16_384, 12_288),   // file-backed CDS archive: not a part
                nmt("Arena Chunk", 256, 256),
                nmt("Tracing", 0, 0),                        // nothing committed: not a part
                nmt("Module", 256, 256),
                nmt("Synchronization", 256, 256)));
        return f;
    }

    /** A laptop: no cgroup; working set is VmRSS = 300 + 25 + 1 MiB. */
    public static SnapshotFixture noCgroup() {
        SnapshotFixture f = v1WithoutNmt();
        f.cgroup = false;
        f.limit = -1;
        f.rssAnon = 300 * MIB;
        f.rssFile = 25 * MIB;
        f.rssShmem = 1 * MIB;
        f.rss = 326 * MIB;
        f.heapCommitted = 160 * MIB;
        return f;
    }

    static NmtCategory nmt(String name, long reservedKb, long committedKb) {
        return new NmtCategory(name, reservedKb * KIB, committedKb * KIB);
    }

    public Snapshot build() {
        CgroupMemory cg = null;
        long workingSet;
        if (cgroup) {
            Map<String, Long> raw = new LinkedHashMap<>();
            String p = version == 1 ? "total_" : "";
            raw.put(p + (version == 1 ? "rss" : "anon"), anon);
            raw.put(p + (version == 1 ? "cache" : "file"), file);
            raw.put(p + "shmem", shmem);
            raw.put(p + (version == 1 ? "mapped_file" : "file_mapped"), mappedFile);
            raw.put(p + "active_anon", activeAnon);
            raw.put(p + "inactive_anon", inactiveAnon);
            raw.put(p + "active_file", activeFile);
            raw.put(p + "inactive_file", inactiveFile);
            raw.put(p + "unevictable", unevictable);
            MemoryStat stat = new MemoryStat(anon, file, activeAnon, inactiveAnon, activeFile, inactiveFile,
                    unevictable, shmem, mappedFile, 135_168, 0, slab, -1, kernelStack, pageTables, sock, kernel,
                    -1, raw);
            String path = version == 1 ? "/kubepods/burstable/pod1234/abcd" : "/kubepods.slice/cri-containerd-abcd.scope";
            cg = new CgroupMemory(version, path, limit, version == 1 ? "memory.limit_in_bytes" : "memory.max",
                    -1, usage, 0, stat, MemoryEvents.NONE, null, processCount);
            workingSet = cg.workingSetBytes();
        } else {
            workingSet = rss;
        }
        if (workingSetOverride != Long.MIN_VALUE) {
            workingSet = workingSetOverride;
        }
        ProcessMemory process = new ProcessMemory(rss, rssAnon, rssFile, rssShmem, swap, 3_500 * MIB, threads);
        NmtSummary summary = null;
        if (nmt != null) {
            long reserved = 0;
            long committed = 0;
            for (NmtCategory c : nmt) {
                reserved += c.reservedBytes();
                committed += c.committedBytes();
            }
            summary = new NmtSummary(reserved, committed, nmt);
        }
        JvmMemory jvm = new JvmMemory(heapUsed, heapCommitted, heapMax, pools, bufferPools, threadCount,
                threadStackSize, loadedClasses, 42, 1_300, summary,
                agentHeap < 0 ? AgentFootprint.NONE : new AgentFootprint(agentHeap, 240, 1_714_558_500_000L));
        return new Snapshot(1_714_558_530_000L, cg, limit, cgroup ? "cgroup" : "none", workingSet,
                16L * 1024 * MIB, process, jvm);
    }
}
