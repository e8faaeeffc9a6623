package dev.headroom.forecast;

import static dev.headroom.forecast.FakeTick.MIB;

/**
 * The service as a function of time: the live heap grows at a steady rate over a
 * direct-buffer baseline, G1 commits heap in 32 MiB steps ahead of it, eden's use saws up and down,
 * and resident heap follows what was touched. Max heap is 80% of the limit
 * ({@code -XX:MaxRAMPercentage=80}). A little deterministic noise rides on the native part.
 */
final class HeapLeak {

    final double bytesPerSecond;
    final long limit;
    final long direct = 120 * MIB;
    final long metaspace = 40 * MIB;
    final long threads = 20 * MIB;
    final long heapMax;
    final long startLive = 20 * MIB;

    HeapLeak(double mibPerSecond, long limitMib) {
        this.bytesPerSecond = mibPerSecond * MIB;
        this.limit = limitMib * MIB;
        this.heapMax = (long) (limit * 0.8);
    }

    long live(double t) {
        return Math.min(heapMax, startLive + (long) (bytesPerSecond * t));
    }

    long committed(double t) {
        long wanted = (live(t) + 48 * MIB + 32 * MIB - 1) / (32 * MIB) * (32 * MIB);
        return Math.min(heapMax, wanted);
    }

    /** Heap pages touched: the live data and a 40 MiB eden, as far as committed. */
    long resident(double t) {
        return Math.min(committed(t), live(t) + 40 * MIB);
    }

    long noise(double t) {
        // A fixed pseudo-random wobble of up to +-1 MiB, the same for the same t.
        long h = Double.doubleToLongBits(t) * 0x9E3779B97F4A7C15L;
        return (h >>> 40) % (2 * MIB) - MIB;
    }

    long workingSet(double t) {
        return resident(t) + direct + metaspace + threads + MIB * 8 + noise(t);
    }

    /** When the working set reaches the limit (the kill), by scanning in 1 ms steps; +inf if never. */
    double killSeconds() {
        for (double t = 0; t < 3600; t += 0.001) {
            if (workingSet(t) >= limit) {
                return t;
            }
            if (live(t) >= heapMax) {
                return Double.POSITIVE_INFINITY;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    FakeTick.Tick tick(double t, long gcCount) {
        long eden = (long) ((t * 7 % 1.0) * 40 * MIB);
        long committed = committed(t);
        return FakeTick.at(t).limit(limit)
                .heap(eden, live(t), committed, heapMax)
                .gcCount(gcCount)
                .part("committedNotResident", "Committed, not resident", "jvm", resident(t) - committed)
                .part("directBuffers", direct)
                .part("metaspace", metaspace)
                .part("threadStacks", threads)
                .part("nativeUntracked", MIB * 8 + noise(t))
                .build();
    }
}
