package dev.headroom.forecast;

import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Part;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.cgroup.CgroupMemory;
import dev.headroom.sense.cgroup.MemoryEvents;
import dev.headroom.sense.cgroup.MemoryStat;
import dev.headroom.sense.cgroup.Pressure;
import dev.headroom.sense.jvm.JvmMemory;
import dev.headroom.sense.jvm.MemoryPoolUsage;
import dev.headroom.sense.process.ProcessMemory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the snapshot and breakdown of one tick at an explicit time, the way the sensor and the
 * reconciler would for a G1 JVM in a v2 cgroup: the heap part is committed heap, the working set is
 * the sum of the parts (plus the active page cache).
 */
public final class FakeTick {

    public static final long MIB = 1L << 20;
    public static final long EPOCH = 1_700_000_000_000L;

    /** The tick's records. */
    public record Tick(Snapshot snapshot, Breakdown breakdown) {
    }

    private final long epochMillis;
    private long limit = 512 * MIB;
    private boolean limited = true;
    private long heapCommitted = -1;
    private long heapMax = -1;
    private long edenUsed;
    private long oldUsed;
    private long gcCount = 1;
    private long pageCache;
    private long workingSet = -1;
    private final List<Part> parts = new ArrayList<>();
    private long eventsMax = 0;
    private long eventsOomKill = 0;
    private long failcnt = -1;
    private Pressure pressure;
    private boolean noJvm;
    private long dirty;
    private long inactiveFile;
    private long refaults = -1;
    private long classesLoadedTotal = -1;
    private long compilationMillis = -1;

    private FakeTick(long epochMillis) {
        this.epochMillis = epochMillis;
    }

    /** A tick this many seconds after a fixed epoch. */
    public static FakeTick at(double seconds) {
        return new FakeTick(EPOCH + Math.round(seconds * 1000));
    }

    public FakeTick limit(long bytes) {
        this.limit = bytes;
        return this;
    }

    /** No cgroup limit: the limit is host memory. */
    public FakeTick unlimited(long hostBytes) {
        this.limit = hostBytes;
        this.limited = false;
        return this;
    }

    /**
     * The heap: G1 eden use (the sawtooth), old gen use (the level the last mixed collection left,
     * so also its use after GC), committed and max. Adds the {@code heap} part (committed).
     */
    public FakeTick heap(long edenUsed, long oldUsed, long committed, long max) {
        this.edenUsed = edenUsed;
        this.oldUsed = oldUsed;
        this.heapCommitted = committed;
        this.heapMax = max;
        return part("heap", "Java heap (committed)", "jvm", committed);
    }

    /** The JVM's start-up counters: classes loaded and JIT time since it started. */
    public FakeTick startUp(long classesLoadedTotal, long compilationMillis) {
        this.classesLoadedTotal = classesLoadedTotal;
        this.compilationMillis = compilationMillis;
        return this;
    }

    public FakeTick gcCount(long count) {
        this.gcCount = count;
        return this;
    }

    public FakeTick noJvm() {
        this.noJvm = true;
        return this;
    }

    public FakeTick part(String id, long bytes) {
        return part(id, label(id), "native", bytes);
    }

    public FakeTick part(String id, String label, String group, long bytes) {
        parts.add(new Part(id, label, group, bytes, "test", ""));
        return this;
    }

    public FakeTick pageCache(long bytes) {
        this.pageCache = bytes;
        return this;
    }

    /** Dirty file pages (part of the page cache, not reclaimable until written). */
    public FakeTick dirty(long bytes) {
        this.dirty = bytes;
        return this;
    }

    /** Inactive page cache: in usage, not in the working set. */
    public FakeTick inactiveFile(long bytes) {
        this.inactiveFile = bytes;
        return this;
    }

    /** memory.stat workingset_refault_file, pages since the cgroup was made. */
    public FakeTick refaults(long pages) {
        this.refaults = pages;
        return this;
    }

    /** Overrides the working set (otherwise the sum of the parts and the page cache). */
    public FakeTick workingSet(long bytes) {
        this.workingSet = bytes;
        return this;
    }

    public FakeTick eventsMax(long count) {
        this.eventsMax = count;
        return this;
    }

    public FakeTick oomKills(long count) {
        this.eventsOomKill = count;
        return this;
    }

    public FakeTick failcnt(long count) {
        this.failcnt = count;
        return this;
    }

    /** Host-wide PSI, as cgroup v1 hosts have it. */
    public FakeTick hostPressure(double someAvg10, double fullAvg10) {
        this.pressure = new Pressure(someAvg10, someAvg10, someAvg10, 0, fullAvg10, fullAvg10, fullAvg10, 0,
                "/proc/pressure/memory" + Pressure.HOST_WIDE);
        return this;
    }

    public FakeTick pressure(double someAvg10, double fullAvg10) {
        this.pressure = new Pressure(someAvg10, someAvg10, someAvg10, 0, fullAvg10, fullAvg10, fullAvg10, 0,
                "memory.pressure");
        return this;
    }

    public Tick build() {
        List<Part> all = new ArrayList<>(parts);
        if (pageCache > 0) {
            all.add(new Part("activePageCache", "Page cache (active)", "pageCache", pageCache,
                    "memory.stat active_file", ""));
        }
        long ws = workingSet;
        if (ws < 0) {
            ws = 0;
            for (Part p : all) {
                ws += p.bytes();
            }
        }
        MemoryStat stat = new MemoryStat(ws - pageCache, pageCache + inactiveFile, ws - pageCache, 0, pageCache,
                inactiveFile, 0, 0, 0, dirty, 0, 0, 0, 0, 0, 0, 0, 0,
                refaults < 0 ? Map.of() : Map.of("workingset_refault_file", refaults));
        MemoryEvents events = new MemoryEvents(0, 0, eventsMax, eventsOomKill, eventsOomKill, failcnt, false);
        CgroupMemory cgroup = new CgroupMemory(2, "/test.slice/app.scope", limited ? limit : -1,
                limited ? "memory.max" : null, -1, ws + inactiveFile, 0, stat, events, pressure, 1);
        JvmMemory jvm = null;
        if (!noJvm) {
            List<MemoryPoolUsage> pools = List.of(
                    new MemoryPoolUsage("G1 Eden Space", true, edenUsed, Math.max(0, heapCommitted - oldUsed), -1,
                            gcCount > 0 ? 0 : -1),
                    new MemoryPoolUsage("G1 Old Gen", true, oldUsed, oldUsed, heapMax, gcCount > 0 ? oldUsed : -1),
                    new MemoryPoolUsage("Metaspace", false, 40 * MIB, 41 * MIB, -1, -1));
            jvm = new JvmMemory(edenUsed + oldUsed, heapCommitted, heapMax, pools, List.of(), 20, 1 << 20, 5000,
                    gcCount, gcCount * 3, null, null, classesLoadedTotal, compilationMillis, 0);
        }
        Snapshot s = new Snapshot(epochMillis, cgroup, limit, limited ? "memory.max" : "host memory", ws,
                limited ? 64L << 30 : limit, ProcessMemory.UNKNOWN, jvm);
        return new Tick(s, new Breakdown(epochMillis, ws, limit, all));
    }

    private static String label(String id) {
        return switch (id) {
            case "directBuffers" -> "Direct buffers";
            case "nativeUntracked" -> "Native, not tracked by the JVM";
            case "metaspace" -> "Metaspace";
            case "threadStacks" -> "Thread stacks";
            default -> id;
        };
    }
}
