package dev.headroom.act;

/**
 * When the {@link Policy} warns and gathers evidence. Times are seconds, shares are fractions of
 * the limit.
 *
 * @param intervalSeconds     the sampling interval (the {@code interval} option); the policy adds
 *                            one interval of safety, or the observed step when ticks come late (1)
 * @param horizonSeconds      a forecast kill within this is a warning (300)
 * @param leakHorizonSeconds  ... and within this (3 days) when the forecast stands on at least
 *                            {@code horizonSeconds} of data: a slow leak seen over hours is worth
 *                            saying hours ahead, a rise seen over seconds is not
 * @param warnShare           unreclaimable memory at this share of the limit is a warning (0.85)
 * @param criticalShare       ... and at this share it is critical: evidence is taken now (0.95)
 * @param hysteresisShare     an episode can only end below {@code warnShare - hysteresisShare} (0.05)
 * @param recoverAfterSeconds ... after that calm lasted this long (30)
 * @param cooldownSeconds     ... and no sooner than this after its last warning, so a working set
 *                            hovering at the line gives one warning, not a stream (60)
 * @param minConfidence       a forecast counts only at this confidence or more (0.5)
 * @param dumpMarginFactor    critical (dump now) when the limit is forecast sooner than
 *                            {@code expectedDumpSeconds * dumpMarginFactor + interval} (3.0): the
 *                            dump must start with at least twice its expected time left, and one
 *                            more expected time is kept for a forecast that falls faster than one
 *                            interval a tick (a step of the working set larger than any seen before,
 *                            as G1's expansions grow with the heap: docs/performance.md)
 * @param dumpBytesPerSecond  how fast a heap dump writes the heap in use. 200 MiB/s by default: on
 *                            the development machine HotSpot wrote 300–430 MiB of heap in 0.2–0.4 s
 *                            (1–2 GiB/s) into the page cache; a container's disk, its I/O limit and
 *                            dirty-page throttling inside a nearly full memory cgroup
 *                            (balance_dirty_pages) can make it several times slower, and a late
 *                            dump is worthless, so the default assumes the slow case
 * @param maxDumps            heap dumps per run (1) ...
 * @param dumpIntervalSeconds ... unless this long passed since the last one (3600; 0: never)
 * @param pressureMinShare    pressure counters (memory.events high/max, failcnt, PSI) raise the level
 *                            only when the unreclaimable memory is at least this share:
 *                            a cgroup that reads files hits memory.max all the time while the kernel
 *                            reclaims its clean page cache, which is no danger (0.5)
 * @param struggleShare       ... and a hit of the limit (memory.events max, failcnt) counts only
 *                            when the clean page cache left is below this share of the limit
 *                            (0.05), or the cgroup's own PSI or refaults say reclaim struggles
 * @param psiSomeAvg10        PSI memory {@code some avg10} (percent) at or above this is pressure (10)
 * @param psiFullAvg10        PSI memory {@code full avg10} (percent) at or above this is pressure (5)
 */
public record PolicySettings(
        double intervalSeconds,
        double horizonSeconds,
        double leakHorizonSeconds,
        double warnShare,
        double criticalShare,
        double hysteresisShare,
        double recoverAfterSeconds,
        double cooldownSeconds,
        double minConfidence,
        double dumpMarginFactor,
        long dumpBytesPerSecond,
        int maxDumps,
        double dumpIntervalSeconds,
        double pressureMinShare,
        double psiSomeAvg10,
        double psiFullAvg10,
        double struggleShare) {

    public PolicySettings {
        if (!(intervalSeconds > 0) || !(horizonSeconds > 0) || !(leakHorizonSeconds >= 0) || !(struggleShare >= 0)
                || !(warnShare > 0 && warnShare <= criticalShare && criticalShare <= 1.5)
                || !(hysteresisShare >= 0 && hysteresisShare < warnShare)
                || !(recoverAfterSeconds >= 0) || !(cooldownSeconds >= 0)
                || !(minConfidence >= 0 && minConfidence <= 1)
                || !(dumpMarginFactor >= 1) || dumpBytesPerSecond <= 0 || maxDumps < 0
                || !(dumpIntervalSeconds >= 0) || !(pressureMinShare >= 0)
                || !(psiSomeAvg10 >= 0) || !(psiFullAvg10 >= 0)) {
            throw new IllegalArgumentException("invalid policy settings: " + this);
        }
    }

    public static PolicySettings defaults() {
        return new PolicySettings(1, 300, 3 * 86_400, 0.85, 0.95, 0.05, 30, 60, 0.5, 3.0, 200L << 20, 1, 3600, 0.5, 10, 5,
                0.05);
    }

    public PolicySettings withIntervalSeconds(double seconds) {
        return new PolicySettings(seconds, horizonSeconds, leakHorizonSeconds, warnShare, criticalShare, hysteresisShare,
                recoverAfterSeconds, cooldownSeconds, minConfidence, dumpMarginFactor, dumpBytesPerSecond, maxDumps,
                dumpIntervalSeconds, pressureMinShare, psiSomeAvg10, psiFullAvg10, struggleShare);
    }

    /** The thresholds a user sets through the agent's options. */
    public PolicySettings withThresholds(double horizonSeconds, double warnShare, double criticalShare,
                                         double cooldownSeconds) {
        return new PolicySettings(intervalSeconds, horizonSeconds, leakHorizonSeconds, warnShare, criticalShare,
                Math.min(hysteresisShare, warnShare / 2), recoverAfterSeconds, cooldownSeconds, minConfidence,
                dumpMarginFactor, dumpBytesPerSecond, maxDumps, dumpIntervalSeconds, pressureMinShare, psiSomeAvg10,
                psiFullAvg10, struggleShare);
    }

    public PolicySettings withDumps(long dumpBytesPerSecond, int maxDumps, double dumpIntervalSeconds) {
        return new PolicySettings(intervalSeconds, horizonSeconds, leakHorizonSeconds, warnShare, criticalShare, hysteresisShare,
                recoverAfterSeconds, cooldownSeconds, minConfidence, dumpMarginFactor, dumpBytesPerSecond, maxDumps,
                dumpIntervalSeconds, pressureMinShare, psiSomeAvg10, psiFullAvg10, struggleShare);
    }
}
