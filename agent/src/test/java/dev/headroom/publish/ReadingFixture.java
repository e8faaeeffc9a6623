package dev.headroom.publish;

import dev.headroom.act.Level;
import dev.headroom.forecast.Forecast;
import dev.headroom.forecast.Trend;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Part;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.cgroup.CgroupMemory;
import dev.headroom.sense.cgroup.MemoryEvents;
import dev.headroom.sense.cgroup.MemoryStat;
import dev.headroom.sense.jvm.BufferPoolUsage;
import dev.headroom.sense.jvm.JvmMemory;
import dev.headroom.sense.process.ProcessMemory;

import java.util.List;
import java.util.Map;

/**
 * Hand-built readings shaped like a JVM in a 512 MiB cgroup v1 container: the kernel's v1 counters
 * (failcnt and oom_kill known, the v2-only ones -1), a breakdown whose parts add up to the working set.
 */
public final class ReadingFixture {

    public static final long MIB = 1024 * 1024;
    public static final long LIMIT = 512 * MIB;
    public static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    private ReadingFixture() {
    }

    public static Part part(String id, String label, String group, long bytes, String source, String cause) {
        return new Part(id, label, group, bytes, source, cause);
    }

    /** The default parts: heap 200 MiB, metaspace 60, native untracked 40, active page cache 20 (320 MiB). */
    public static List<Part> parts() {
        return List.of(
                part("heap", "Java heap (committed)", "jvm", 200 * MIB, "MemoryMXBean", "Objects the application holds"),
                part("metaspace", "Metaspace (committed)", "jvm", 60 * MIB, "MemoryPoolMXBean", ""),
                part("nativeUntracked", "Native, not tracked by the JVM", "native", 40 * MIB, "rss - NMT",
                        "malloc arenas"),
                part("activePageCache", "Active page cache", "pageCache", 20 * MIB, "memory.stat active_file", ""));
    }

    public static Reading reading(double secondsToLimit, Level level, int dumps) {
        return reading(parts(), secondsToLimit, level, dumps);
    }

    public static Reading reading(List<Part> parts, double secondsToLimit, Level level, int dumps) {
        long ws = 0;
        for (Part p : parts) {
            ws += p.bytes();
        }
        MemoryStat stat = new MemoryStat(280 * MIB, 60 * MIB, 270 * MIB, 10 * MIB, 20 * MIB, 40 * MIB, 0,
                1 * MIB, 5 * MIB, 0, 0, 4 * MIB, 2 * MIB, MIB, MIB, 0, 6 * MIB, 0,
                Map.of("total_rss", 280 * MIB, "total_cache", 60 * MIB));
        MemoryEvents events = new MemoryEvents(-1, -1, -1, -1, 0, 3, false);
        CgroupMemory cgroup = new CgroupMemory(1, "/headroom-it-1", LIMIT, "memory.limit_in_bytes", -1,
                ws + 40 * MIB, -1, stat, events, null, 2);
        JvmMemory jvm = new JvmMemory(150 * MIB, 200 * MIB, 256 * MIB, List.of(),
                List.of(new BufferPoolUsage("direct", 3, 2 * MIB, 2 * MIB)), 25, MIB, 9000, 12, 140, null);
        Snapshot snapshot = new Snapshot(T0, cgroup, LIMIT, "memory.limit_in_bytes", ws, 16384 * MIB,
                ProcessMemory.UNKNOWN, jvm);
        Breakdown breakdown = new Breakdown(T0, ws, LIMIT, parts);
        Forecast forecast = Double.isNaN(secondsToLimit)
                ? Forecast.none(T0, ws, LIMIT)
                : new Forecast(T0, ws, LIMIT, secondsToLimit, 0.8, 1.5 * MIB, 230 * MIB,
                        List.of(new Trend("heap", "Java heap", 200 * MIB, 1.5 * MIB)));
        return new Reading(snapshot, breakdown, forecast, level, dumps);
    }
}
