package dev.headroom.act;

import dev.headroom.sense.cgroup.CgroupMemory;
import dev.headroom.sense.cgroup.MemoryEvents;
import dev.headroom.sense.cgroup.Pressure;

import java.util.List;

/**
 * What the kernel's own counters say, compared with the previous tick's: the cgroup hit its limit
 * or its throttling line, tasks stall on memory, or the OOM killer already ran. The counters are
 * cumulative, so only their increase since the last tick is news; the first tick has no delta.
 */
final class PressureSignals {

    private long high = -1;
    private long max = -1;
    private long failcnt = -1;
    private long oom = -1;
    private long oomKill = -1;

    /**
     * The level the counters call for, adding the reasons.
     *
     * @param share working set without page cache over the limit, {@code NaN} when unknown
     */
    Level assess(CgroupMemory cgroup, double share, PolicySettings st, List<String> reasons) {
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
        if (dMax > 0) {
            reasons.add("usage hit the limit " + dMax + " time(s) since the last sample (memory.events max): the kernel is reclaiming");
            level = max(level, Level.WARNING);
        }
        if (dFailcnt > 0) {
            reasons.add("usage hit the limit " + dFailcnt + " time(s) since the last sample (memory.failcnt)");
            level = max(level, Level.WARNING);
        }
        if (dHigh > 0) {
            reasons.add("usage went over memory.high " + dHigh + " time(s) since the last sample: the cgroup is throttled");
            level = max(level, Level.WARNING);
        }
        Pressure p = cgroup.pressure();
        // Only the cgroup's own PSI counts: host-wide stalls (cgroup v1 has no per-cgroup PSI) come
        // as often from a neighbour, e.g. another container being OOM-killed (measured: 6% "full"
        // for 10 s on the host after a sibling cgroup's kill, while this one was at half its limit).
        if (p != null && !p.hostWide()
                && (p.someAvg10() >= st.psiSomeAvg10() || p.fullAvg10() >= st.psiFullAvg10())) {
            reasons.add("tasks stall waiting for memory: PSI some " + Policy.percent(p.someAvg10()) + ", full "
                    + Policy.percent(p.fullAvg10()) + " of the last 10 s");
            level = max(level, Level.WARNING);
        }
        return level;
    }

    /** The increase of a cumulative counter, 0 on the first reading, when unknown or when it went back. */
    private static long delta(long previous, long current) {
        return previous >= 0 && current > previous ? current - previous : 0;
    }

    static Level max(Level a, Level b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
