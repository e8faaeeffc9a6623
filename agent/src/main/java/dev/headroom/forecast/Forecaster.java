package dev.headroom.forecast;

import dev.headroom.reconcile.PartCatalogue;

import java.util.Arrays;
import java.util.List;

/**
 * Projects the working set forward from the {@link History} and estimates when it reaches the
 * limit. Pure: no clock (time is the samples'), no I/O.
 *
 * <p>The model, per window (a short one for growth that just started, a long one for steadiness):
 * <pre>
 *   X(t)   = working set − active page cache            (what the kernel cannot simply reclaim)
 *   rX     = Theil–Sen slope of X                       (robust to spikes and GC-timed noise)
 *   rC, rL = slopes of heap committed and of the live heap after GC (never raw heap use: sawtooth)
 *   R      = rX, or rL when the live heap grows faster and the heap can still expand
 *            (the heap will have to commit what the live data needs)
 *   t      = (limit − ws) / R
 *   if the live heap reaches max heap first, at tc = (heapMax − liveHeap) / min(R, rL):
 *       t = tc + (limit − ws − R·tc) / (R − min(R, rL))  (NaN when nothing else grows: an
 *                                                         OutOfMemoryError comes, not a kill)
 *   confidence = (1 − 0.5^(n − minSamples + 1)) · max(0, Kendall tau) · [rises ≥ minRises]
 *                (a rise: a step of at least a quarter of the fitted slope; a lone jump has one)
 *                · (unlimitedConfidence when the limit is only host memory)
 * </pre>
 * The short-window estimate wins when it is confident enough and sooner.
 */
public final class Forecaster {

    /** The pseudo-part id of the live heap (the heap's level after GC) in {@link Forecast#growing()}. */
    public static final String LIVE_HEAP = "liveHeap";

    static final String COMMITTED_NOT_RESIDENT = "committedNotResident";

    /** How many times its window's span an estimate may reach ahead at full confidence: from a few samples... */
    static final double MIN_EXTRAPOLATION = 3;
    /** ... to a full long window. */
    static final double MAX_EXTRAPOLATION = 10;

    /** A step counts as a rise when it carries at least this share of the fitted slope. */
    static final double RISE_SHARE = 0.25;

    private static final int SERIES_WORKING_SET = -1;
    private static final int SERIES_HEAP_COMMITTED = -2;
    private static final int SERIES_LIVE_HEAP = -3;

    private Forecaster() {
    }

    /** The forecast from the history as it is now; {@link Forecast#none} before the first sample. */
    public static Forecast forecast(History h, ForecastSettings settings) {
        int n = h.size();
        if (n == 0) {
            return Forecast.none(-1, -1, -1);
        }
        int last = n - 1;
        long t0 = h.time(last);
        long ws0 = h.workingSet(last);
        long limit0 = h.limit(last);
        h.ensureScratch(settings.window());

        int longFrom = firstInWindow(h, settings.window(), settings.windowSeconds());
        int shortFrom = Math.max(longFrom, n - settings.shortWindow());
        Estimate chosen = estimate(h, longFrom, settings);
        if (shortFrom > longFrom) {
            Estimate recent = estimate(h, shortFrom, settings);
            if (prefer(recent, chosen, settings.minConfidence())) {
                chosen = recent;
            }
        }
        List<Trend> growing = growing(h, chosen, settings);
        return new Forecast(t0, ws0, limit0 > 0 ? limit0 : -1, chosen.secondsToLimit, chosen.confidence,
                chosen.growth, chosen.heapCeiling, growing);
    }

    /** Whether the recent-window estimate should replace the long-window one. */
    private static boolean prefer(Estimate recent, Estimate steady, double minConfidence) {
        boolean recentOk = !Double.isNaN(recent.secondsToLimit) && recent.confidence >= minConfidence;
        boolean steadyOk = !Double.isNaN(steady.secondsToLimit) && steady.confidence >= minConfidence;
        if (recentOk && steadyOk) {
            return recent.secondsToLimit < steady.secondsToLimit;
        }
        if (recentOk != steadyOk) {
            return recentOk;
        }
        return recent.confidence > steady.confidence;
    }

    private static int firstInWindow(History h, int window, double windowSeconds) {
        int n = h.size();
        int from = Math.max(0, n - window);
        long oldest = h.time(n - 1) - (long) (windowSeconds * 1000);
        while (from < n - 1 && h.time(from) < oldest) {
            from++;
        }
        return from;
    }

    private static Estimate estimate(History h, int from, ForecastSettings st) {
        int last = h.size() - 1;
        Estimate e = new Estimate();
        e.from = from;
        Fit x = fit(h, SERIES_WORKING_SET, from, st);
        Fit committed = fit(h, SERIES_HEAP_COMMITTED, from, st);
        Fit live = fit(h, SERIES_LIVE_HEAP, from, st);

        long ws0 = h.workingSet(last);
        long limit0 = h.limit(last);
        long heapMax = h.heapMax(last);
        long committed0 = h.heapCommitted(last);
        long live0 = h.liveHeap(last);

        double rX = x.growth(st);
        double rC = committed.growth(st);
        double rL = live.growth(st);
        boolean heapCanExpand = committed0 >= 0 && (heapMax <= 0 || committed0 < heapMax);

        // Page cache is left out of X: the kernel reclaims it before it kills anything (the OOM
        // killer runs only when reclaim fails, mm/memcontrol.c try_charge), so page cache that fills
        // towards the limit and is reclaimed must not forecast a kill. Its current level stays in the
        // working set the estimate starts from, which only makes the estimate a little early.
        Fit driver = x;
        double r = rX;
        if (heapCanExpand && rL > rX) {
            // The live data grows faster than the working set shows yet: the collector will have to
            // commit (and touch) more heap for it, up to max heap.
            driver = live;
            r = rL;
        }
        e.growth = r;
        e.liveHeapGrowth = rL;
        e.confidence = confidence(driver, st) * (h.limited(last) ? 1 : st.unlimitedConfidence());

        if (committed0 >= 0) {
            long others = ws0 - committed0;
            if (limit0 > 0) {
                e.heapCeiling = heapMax > 0 ? Math.min(heapMax, limit0 - others) : limit0 - others;
            } else {
                e.heapCeiling = heapMax;
            }
        }

        e.secondsToLimit = Double.NaN;
        if (limit0 > 0 && r > 0) {
            if (ws0 >= limit0) {
                e.secondsToLimit = 0;
            } else {
                double t = (limit0 - ws0) / r;
                if (heapMax > 0 && live0 >= 0 && live.count >= st.minSamples() && rL > 0) {
                    // When the live data fills max heap the heap stops growing: the JVM throws
                    // OutOfMemoryError (or collects harder) instead, so from then on only the other
                    // parts move the working set. Only the live level (after GC) says when that
                    // is: committed heap is not resident until touched, and G1 commits in jumps
                    // far ahead of use, so a committed heap near max heap says nothing about an
                    // OutOfMemoryError coming first (measured: committed at 92% of max heap while
                    // the working set went on to the limit at 30 MiB/s).
                    double rHeapLive = Math.min(r, rL);
                    double tc = Math.max(0, (heapMax - live0) / rHeapLive);
                    if (tc < t) {
                        double rest = r - rHeapLive;
                        double atCeiling = ws0 + r * tc;
                        t = rest > 0 ? tc + (limit0 - atCeiling) / rest : Double.NaN;
                    }
                }
                e.secondsToLimit = t;
            }
        }
        // An estimate is only as good as how far it reaches beyond the data behind it: a rise seen
        // over 5 s says little about where the working set will be in 100 s (measured: page-cache
        // churn swung kernel memory between 0.8 and 6.5 MiB and, over a 5-sample window, "forecast"
        // the limit in 113 s; a JVM's own start-up added 20 MiB in 3 s under a 256 MiB limit and
        // "forecast" it in 21 s). Three points reach three times their span; the reach grows with
        // the samples behind the slope, up to MAX_EXTRAPOLATION times at 30. Past it, confidence
        // falls in proportion.
        if (e.secondsToLimit > 0 && x.count > 1) {
            double span = (h.time(last) - h.time(from)) / 1000.0 * x.count / (x.count - 1);
            double reach = Math.max(MIN_EXTRAPOLATION, Math.min(MAX_EXTRAPOLATION, x.count / 3.0)) * span;
            if (e.secondsToLimit > reach) {
                e.confidence *= reach / e.secondsToLimit;
            }
        }
        return e;
    }

    /** 0..1: rises with the number of samples and with how consistently the series grows. */
    static double confidence(Fit f, ForecastSettings st) {
        if (f.count < st.minSamples() || !(f.slope > 0) || f.rises < st.minRises()) {
            return 0;
        }
        double samples = 1 - Math.pow(0.5, f.count - st.minSamples() + 1);
        return samples * Math.max(0, f.tau);
    }

    /** The parts that grow over the chosen window, fastest first (page cache and corrections left out). */
    private static List<Trend> growing(History h, Estimate e, ForecastSettings st) {
        int last = h.size() - 1;
        Trend[] found = null;
        int count = 0;
        int parts = h.partCount();
        for (int k = 0; k < parts; k++) {
            if (h.partKib(k, last) == History.ABSENT || !mayGrow(h, k, e.from, st.minGrowthBytes())) {
                continue;
            }
            String id = h.partId(k);
            // Reclaimable page cache is not what a kill comes from; the not-resident correction
            // rises towards zero as committed memory is touched, the growth of another part.
            if (PartCatalogue.PAGE_CACHE.equals(PartCatalogue.group(id)) || COMMITTED_NOT_RESIDENT.equals(id)) {
                continue;
            }
            Fit f = fit(h, k, e.from, st);
            double rate = f.growth(st);
            if (rate > 0) {
                if (found == null) {
                    found = new Trend[parts + 1];
                }
                found[count++] = new Trend(id, h.partLabel(k), h.partLatestBytes(k), rate);
            }
        }
        if (e.liveHeapGrowth > 0 && h.liveHeap(last) >= 0) {
            if (found == null) {
                found = new Trend[parts + 1];
            }
            found[count++] = new Trend(LIVE_HEAP, "Java heap after GC", h.liveHeap(last), e.liveHeapGrowth);
        }
        if (count == 0) {
            return List.of();
        }
        // Insertion sort, fastest first: a handful of entries.
        for (int i = 1; i < count; i++) {
            Trend t = found[i];
            int j = i - 1;
            while (j >= 0 && found[j].bytesPerSecond() < t.bytesPerSecond()) {
                found[j + 1] = found[j];
                j--;
            }
            found[j + 1] = t;
        }
        return Arrays.asList(Arrays.copyOf(found, count));
    }

    /** A cheap test before the pairwise slopes: did the part rise by at least the noise floor? */
    private static boolean mayGrow(History h, int column, int from, long minGrowthBytes) {
        int first = History.ABSENT;
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        int latest = History.ABSENT;
        for (int i = from; i < h.size(); i++) {
            int v = h.partKib(column, i);
            if (v == History.ABSENT) {
                continue;
            }
            if (first == History.ABSENT) {
                first = v;
            }
            latest = v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return first != History.ABSENT && latest > first && (long) (max - min) * 1024 >= minGrowthBytes;
    }

    /** Fits one series over samples {@code from..size-1}, skipping samples where it is unknown. */
    private static Fit fit(History h, int series, int from, ForecastSettings st) {
        double[] t = h.scratchT;
        double[] y = h.scratchY;
        int n = 0;
        long t0 = h.time(h.size() - 1);
        for (int i = from; i < h.size(); i++) {
            double v = value(h, series, i);
            if (Double.isNaN(v)) {
                continue;
            }
            t[n] = (h.time(i) - t0) / 1000.0;
            y[n] = v;
            n++;
        }
        Fit f = new Fit();
        f.count = n;
        if (n >= 2) {
            f.span = t[n - 1] - t[0];
            f.tau = RobustSlope.kendallTau(t, y, n);
            f.slope = RobustSlope.theilSen(t, y, n, h.scratchPairs);
            f.rises = f.slope > 0 ? RobustSlope.rises(t, y, n, RISE_SHARE * f.slope) : 0;
        }
        return f;
    }

    private static double value(History h, int series, int i) {
        switch (series) {
            case SERIES_WORKING_SET:
                return h.workingSet(i) - h.pageCache(i);
            case SERIES_HEAP_COMMITTED: {
                long v = h.heapCommitted(i);
                return v < 0 ? Double.NaN : v;
            }
            case SERIES_LIVE_HEAP: {
                long v = h.liveHeap(i);
                return v < 0 ? Double.NaN : v;
            }
            default: {
                int kib = h.partKib(series, i);
                return kib == History.ABSENT ? Double.NaN : kib * 1024.0;
            }
        }
    }

    /** One series' fit over a window. */
    static final class Fit {
        int count;
        double span;
        double slope = Double.NaN;
        double tau;
        int rises;

        /**
         * The growth rate in bytes per second, or 0 when the series does not grow: too few samples,
         * a falling or flat slope, or less growth over the window than the noise floor.
         */
        double growth(ForecastSettings st) {
            if (count < st.minSamples() || !(slope > 0) || slope * span < st.minGrowthBytes()) {
                return 0;
            }
            return slope;
        }
    }

    /** One window's estimate. */
    private static final class Estimate {
        int from;
        double secondsToLimit = Double.NaN;
        double confidence;
        double growth;
        double liveHeapGrowth;
        long heapCeiling = -1;
    }
}
