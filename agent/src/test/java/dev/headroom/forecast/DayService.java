package dev.headroom.forecast;

import static dev.headroom.forecast.FakeTick.MIB;

/**
 * A healthy G1 service over days, as a function of time, with an optional slow native leak: the
 * heap expands from a quarter of the limit to its max in the first ten minutes (committed and
 * touched in 32 MiB steps), eden saws every 20 s, the live set (the level after the last mixed
 * collection, one every 5 minutes) swings with the day's load, metaspace and code cache grow during
 * start-up, native memory follows the load a little, the page cache churns (active and inactive,
 * with dirty pages from writes), and a deterministic noise rides on everything.
 */
final class DayService {

    static final double DAY = 86_400;

    final long limit;
    final long heapMax;
    final double leakBytesPerSecond;
    final long restBase;

    /**
     * @param limitMib      the cgroup limit
     * @param heapShare     max heap as a share of the limit
     * @param restShare     what sits beside the heap after start-up, as a share of the limit
     * @param leakMibPerHour native growth without a ceiling (0: healthy)
     */
    DayService(long limitMib, double heapShare, double restShare, double leakMibPerHour) {
        this.limit = limitMib * MIB;
        this.heapMax = (long) (limit * heapShare) / (32 * MIB) * (32 * MIB);
        this.restBase = (long) (limit * restShare);
        this.leakBytesPerSecond = leakMibPerHour * MIB / 3600.0;
    }

    /** A deterministic value in [0, 1) for this time and stream. */
    static double noise(double t, int stream) {
        long h = (Double.doubleToLongBits(t) + stream * 0x632BE59BD9B4E019L) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return (h >>> 11) / (double) (1L << 53);
    }

    /** 0 at midnight, 1 at noon. */
    static double load(double t) {
        double s = Math.sin(Math.PI * (t % DAY) / DAY);
        return s * s;
    }

    long committed(double t) {
        long start = heapMax / 4 / (32 * MIB) * (32 * MIB);
        long grown = start + (long) (Math.min(1, t / 600) * (heapMax - start)) / (32 * MIB) * (32 * MIB);
        return Math.min(heapMax, grown);
    }

    long live(double t) {
        double mixedAt = Math.floor(t / 300) * 300;
        return (long) (heapMax * (0.2 + 0.25 * load(mixedAt)) + 8 * MIB * noise(mixedAt, 1));
    }

    long eden(double t) {
        return (long) ((t % 20) / 20 * Math.max(0, committed(t) - live(t)) * 0.8);
    }

    /** Metaspace, code cache, threads and native: start-up growth, the day's load, the leak. */
    long rest(double t) {
        double startup = Math.min(1, t / 120) * 40 * MIB;
        return (long) (restBase - 40 * MIB + startup + 0.03 * limit * load(t) + 2 * MIB * noise(t, 2)
                + leakBytesPerSecond * t);
    }

    long activeFile(double t) {
        return (long) (0.25 * limit * (0.5 + 0.5 * Math.sin(t / 900.0)) * (0.8 + 0.2 * noise(t, 3)));
    }

    long inactiveFile(double t) {
        return (long) (0.1 * limit * noise(Math.floor(t / 30), 4));
    }

    long dirty(double t) {
        return (long) (Math.min(activeFile(t), 8 * MIB) * noise(t, 5));
    }

    /** What the kernel cannot reclaim: the heap's pages and the rest (dirty pages are waited for). */
    long unreclaimable(double t) {
        return committed(t) + rest(t);
    }

    /** The first time the unreclaimable memory reaches the limit, scanning every second up to {@code until}. */
    double killSeconds(double until) {
        for (double t = 0; t < until; t += 1) {
            if (unreclaimable(t) >= limit) {
                return t;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    FakeTick.Tick tick(double t) {
        long committed = committed(t);
        long live = live(t);
        return FakeTick.at(t).limit(limit)
                .heap(eden(t), live, committed, heapMax)
                .gcCount(1 + (long) (t / 20))
                .part("metaspace", Math.min(rest(t), 60 * MIB))
                .part("nativeUntracked", rest(t) - Math.min(rest(t), 60 * MIB))
                .pageCache(activeFile(t))
                .inactiveFile(inactiveFile(t))
                .dirty(dirty(t))
                .build();
    }
}
