package dev.headroom.act;

import dev.headroom.forecast.Thrashing;
import dev.headroom.sense.cgroup.CgroupMemory;
import dev.headroom.sense.cgroup.MemoryEvents;
import dev.headroom.sense.cgroup.Pressure;

import java.util.List;

/**
 * What the kernel's own counters say, compared with the previous tick's: the cgroup hit its limit
 * or its throttling line, tasks stall on memory, or the OOM killer already ran. The counters are
 * cumulative, so only their increase since the last tick is news; the first tick has no delta.
 *
 * <p>Counters are evidence, not alarms on their own. {@code memory.failcnt} and
 * {@code memory.events max} count every charge that met the limit, and meeting the limit is how a
 * cgroup full of page cache reclaims it in normal operation (mm/memcontrol.c: the charge reclaims
 * and retries; the OOM killer runs only when reclaim made no progress after its retries). Measured:
 * 4670 failcnt hits in one second on a healthy service streaming a file, at 60 % of the limit.
 * So a hit counts only when reclaim is struggling: little clean page cache is left to take
 * ({@code struggleShare} of the limit), or the cgroup's own PSI shows tasks stalling on memory.
 * Refaults (thrashing) are not enough: the service is slow, and reclaim still succeeds.
 * {@code oom}/{@code oom_kill} always count: the killer ran.
 */
final class PressureSignals {

    private long high = -1;
    private long max = -1;
    private long failcnt = -1;
    private long oom = -1;
    private long oomKill = -1;
    /** The clean page cache at the last assessment, {@code -1} before the first. */
    private long previousClean = -1;

    /**
     * The level the counters call for, adding the reasons.
     *
     * @param share     unreclaimable memory over the limit, {@code NaN} when unknown
     * @param limit     the limit, {@code -1} when none
     * @param thrashing the forecaster's refault reading, {@code null} when none
     */
    Level assess(CgroupMemory cgroup, double share, long limit, Thrashing thrashing, PolicySettings st,
                 List<String> reasons) {
        if (cgroup == null) {
            return Level.OK;
        }
        MemoryEvents e = cgroup.events() == null ? MemoryEvents.NONE : cgroup.events();
        long dHigh = delta(high, e.high());
        long dMax = delta(max, e.max());
        long dFailcnt = delta(failcnt, e.failcnt());
        long dOom = delta(oom, e.oom());
        long dOomKill = delta(oomKill, e.oomKill());
        high = e.high();
        max = e.max();
        failcnt = e.failcnt();
        oom = e.oom();
        oomKill = e.oomKill();
        long cleanBefore = previousClean;
        previousClean = cgroup.reclaimablePageCacheBytes();

        Level level = Level.OK;
        if (dOomKill > 0 || dOom > 0 || e.underOom()) {
            // The cgroup already ran out: the kernel killed (or is about to kill) one of its processes,
            // and the JVM, usually the largest, is the next candidate (mm/oom_kill.c oom_badness).
            reasons.add(dOomKill > 0
                    ? "the kernel OOM-killed " + dOomKill + (dOomKill == 1 ? " process" : " processes")
                            + " in this cgroup since the last sample"
                    : e.underOom() ? "the cgroup is under OOM (memory.oom_control under_oom 1)"
                            : "the cgroup ran out of memory " + dOom + " time(s) since the last sample (memory.events oom)");
            level = Level.CRITICAL;
        }
        boolean relevant = Double.isNaN(share) || share >= st.pressureMinShare();
        if (!relevant) {
            return level;
        }
        Pressure p = cgroup.pressure();
        // Only the cgroup's own PSI counts: host-wide stalls (cgroup v1 has no per-cgroup PSI) come
        // as often from a neighbour, e.g. another container being OOM-killed (measured: 6% "full"
        // for 10 s on the host after a sibling cgroup's kill, while this one was at half its limit).
        boolean stalls = p != null && !p.hostWide()
                && (p.someAvg10() >= st.psiSomeAvg10() || p.fullAvg10() >= st.psiFullAvg10());
        String struggle = struggle(cgroup, limit, cleanBefore, stalls, thrashing, st);
        if (struggle != null) {
            if (dMax > 0) {
                reasons.add("usage hit the limit " + dMax + " time(s) since the last sample (memory.events max) and "
                        + struggle);
                level = max(level, Level.WARNING);
            }
            if (dFailcnt > 0) {
                reasons.add("usage hit the limit " + dFailcnt + " time(s) since the last sample (memory.failcnt) and "
                        + struggle);
                level = max(level, Level.WARNING);
            }
            if (dHigh > 0) {
                reasons.add("usage went over memory.high " + dHigh + " time(s) since the last sample (throttled) and "
                        + struggle);
                level = max(level, Level.WARNING);
            }
        }
        if (stalls) {
            reasons.add("tasks stall waiting for memory: PSI some " + Policy.percent(p.someAvg10()) + ", full "
                    + Policy.percent(p.fullAvg10()) + " of the last 10 s");
            level = max(level, Level.WARNING);
        }
        return level;
    }

    /**
     * Why reclaim is struggling, in words, or {@code null} when it is not: a hit of the limit is
     * then the kernel dropping page cache, its routine.
     */
    private static String struggle(CgroupMemory cgroup, long limit, long before, boolean stalls, Thrashing thrashing,
                                   PolicySettings st) {
        long clean = cgroup.reclaimablePageCacheBytes();
        // The hits came between the last sample and this one: little clean cache counts only when
        // there was little at the last sample too. A cache that was plenty then and is gone now was
        // being reclaimed, or its file was deleted, which is routine (measured: "only 0 MiB of clean
        // page cache" at 53 % of the limit, on a healthy G1 service as its streamed file was removed).
        double little = st.struggleShare() * limit;
        if (clean >= 0 && limit > 0 && clean < little && (before < 0 || before < little)) {
            return "only " + Policy.mib(clean) + " of clean page cache is left to reclaim";
        }
        if (stalls) {
            return "tasks stall on memory (the cgroup's PSI)";
        }
        // Refaults alone are not struggle: a cache smaller than the files read again is thrashing,
        // its own state (measured: a hot file and a stream under 512 MiB refaulted at 2 to 47 MiB/s
        // while failcnt rose, and both services ended normally).
        return null;
    }

    /** The increase of a cumulative counter, 0 on the first reading, when unknown or when it went back. */
    private static long delta(long previous, long current) {
        return previous >= 0 && current > previous ? current - previous : 0;
    }

    static Level max(Level a, Level b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
