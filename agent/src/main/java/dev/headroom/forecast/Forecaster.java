package dev.headroom.forecast;

import dev.headroom.reconcile.PartCatalogue;

import java.util.Arrays;
import java.util.List;

/**
 * Projects the unreclaimable memory (what the kernel cannot reclaim before its OOM killer runs,
 * {@link dev.headroom.sense.Snapshot#unreclaimableBytes()}) forward from the {@link History} and
 * estimates when it reaches the limit. Pure: no clock (time is the samples'), no I/O.
 *
 * <p>The unreclaimable memory U is split into the heap's resident pages H and the rest
 * {@code R = U − H} (metaspace, code cache, threads, direct and native memory, tmpfs, kernel
 * memory, other processes). Every part grows only to its ceiling, and the heap's ceiling is max
 * heap: a heap that expands or touches what it committed is the collector's choice, not a leak.
 * Per scale (the last 5 and 30 samples, then 10 s, 1 min, 10 min and 1 h buckets):
 * <pre>
 *   rR  = Theil–Sen slope of R                       (what grows without a ceiling)
 *   rL  = slope of the live heap                     (levels after old/mixed/full collections only)
 *   rH  = rL; or, when max heap + R exceeds the limit (the ceilings do not fit), the larger of rL
 *         and the slope of H: then the heap's own expansion can be the kill (a configuration risk)
 *   rC  = per part the JVM caps (direct buffers, metaspace, code cache: {@link History#setCeiling}),
 *         its slope, taken out of rR; it stops at the part's room to its cap (then the JVM throws)
 *   rX  = min(rR − ΣrC, HEAP_COUPLED_SHARE · slope of H)   (what grows with the expanding heap, see there)
 *   t   solves U + (rR − ΣrC − rX)·t + min(rH·t, max heap − H) + min(rX·t, rX · (max heap − H) / slope of H)
 *         + Σ min(rC·t, cap − part) = limit
 *         (none when the heap is at its ceiling and nothing else grows: an OutOfMemoryError comes)
 *   a slope counts only when its window's rise is no step: less than {@link Fit#STEP_SHARE} of it
 *         in any run of {@link Fit#stepRun} consecutive steps (from 5 points on)
 *   confidence = (1 − 0.5^(n − minSamples + 1)) · max(0, Kendall tau) · [rises ≥ minRises]
 *                · [coarse: at least COARSE_MIN_BUCKETS buckets, and the later half keeps its pace]
 *                · min(1, reach / t), reach = min(10, max(3, span / 6 s)) · span
 *                · (unlimitedConfidence when the limit is only host memory)
 * </pre>
 * The estimate that is confident enough and soonest wins, so a fast leak is seen by the short
 * window within seconds and a slow one by the coarse scales hours ahead, with a confidence that
 * grows with the data behind it. A coarse scale's fits are recomputed only when one of its
 * buckets closes.
 */
public final class Forecaster {

    /** The pseudo-part id of the live heap (the heap's level after GC) in {@link Forecast#growing()}. */
    public static final String LIVE_HEAP = "liveHeap";

    /** How many times its window's span an estimate may reach ahead at full confidence: from a few samples... */
    static final double MIN_EXTRAPOLATION = 3;
    /** ... to a full window. */
    static final double MAX_EXTRAPOLATION = 10;
    /**
     * Seconds of data per unit of the fine windows' reach factor: 18 s reach 3 times their span, the
     * 30 s of the long window at the default 1 s interval 5 times (measured: counted in samples, at a
     * 500 ms interval, a start-up ramp of native memory seen for 12.5 s "forecast" the limit 104 s
     * ahead at confidence 0.54).
     */
    static final double REACH_SECONDS_PER_SPAN = 6;

    /**
     * How far a coarse scale reaches: twice the span behind it. A rise over hours is as often the
     * day's load as a leak (more threads, a bigger cache of live objects at noon), and it ends with
     * the day; a leak keeps going, so waiting until the data spans half the way to the limit still
     * warns with a third of the time left and more (measured in SlowLeakReplayTest).
     */
    static final double COARSE_EXTRAPOLATION = 2;

    /**
     * A coarse scale speaks only once it has this many buckets: enough for its later half to be
     * fitted on its own ({@link Fit#consistent}). With fewer it sees no more than the fine windows,
     * and cannot tell growth that levels off from growth that goes on (measured on a synthetic
     * start-up of 250 MiB of native memory levelling off with a 40 s time constant: four 10 s
     * buckets "forecast" the limit in 63 s at 48 s).
     */
    static final int COARSE_MIN_BUCKETS = 6;

    /**
     * The live data's growth counts only when it stands on at least this much time. It changes
     * only at old collections, which are minutes apart on a calm heap and seconds apart on a busy
     * one, and a live set that swings with the load rises for a while on a healthy service
     * (measured: a 100 MiB swing in 4 s on Parallel "forecast" max heap full in 13 s). An
     * OutOfMemoryError is the JVM's own to report; a kill that the heap drives is seen through the
     * heap's resident pages when the ceilings do not fit.
     */
    static final double LIVE_MIN_SPAN_SECONDS = 60;

    /**
     * How much of the heap's growth the rest may grow beside it as part of the same expansion, and
     * stop with it at max heap. Measured while a heap expanded: the rest rose by 0.24 of it on Serial
     * and 0.29 on Parallel (JDK 25), the collector's structures and pages written ahead of the
     * peak-use estimate; growth beyond this share is the rest's own.
     */
    static final double HEAP_COUPLED_SHARE = 1.0 / 3;

    private static final int SERIES_REST = -1;
    private static final int SERIES_HEAP_RESIDENT = -2;
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
        h.ensureScratch(Math.max(settings.window(), Scale.MAX_WINDOW));
        Levels now = Levels.of(h, last);

        int longFrom = firstInWindow(h, settings.window(), settings.windowSeconds());
        int shortFrom = Math.max(longFrom, n - settings.shortWindow());
        double[] heapExpansion = new double[1];
        Estimate longEstimate = fine(h, longFrom, now, settings, heapExpansion);
        Estimate chosen = longEstimate;
        if (shortFrom > longFrom) {
            chosen = better(fine(h, shortFrom, now, settings, heapExpansion), chosen, settings.minConfidence());
        }
        for (Scale scale : h.scales()) {
            if (scale.rest != null && scale.rest.count >= COARSE_MIN_BUCKETS) {
                chosen = better(estimate(scale.rest, scale.heapResident, scale.live, now, settings, true, 0, h, 0), chosen,
                        settings.minConfidence());
            }
        }
        List<Trend> growing = growing(h, longFrom, chosen, now, settings);
        return new Forecast(h.time(last), h.workingSet(last), now.limit > 0 ? now.limit : -1, chosen.secondsToLimit,
                chosen.confidence, chosen.growth, now.heapCeiling(), growing, now.unreclaimable, chosen.basis,
                now.ceilings(), thrashing(h, now), chosen.heapExpansion);
    }

    /** Which of two estimates to keep: the confident one, of two confident ones the sooner. */
    private static Estimate better(Estimate candidate, Estimate kept, double minConfidence) {
        boolean candidateOk = !Double.isNaN(candidate.secondsToLimit) && candidate.confidence >= minConfidence;
        boolean keptOk = !Double.isNaN(kept.secondsToLimit) && kept.confidence >= minConfidence;
        if (candidateOk && keptOk) {
            return candidate.secondsToLimit < kept.secondsToLimit ? candidate : kept;
        }
        if (candidateOk != keptOk) {
            return candidateOk ? candidate : kept;
        }
        return candidate.confidence > kept.confidence ? candidate : kept;
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

    /** The latest sample's levels, which every scale's estimate starts from. */
    private record Levels(long unreclaimable, long limit, boolean limited, long heapMax, long heapResident,
                          long rest, long live) {

        static Levels of(History h, int i) {
            long u = h.unreclaimable(i);
            long resident = h.heapResident(i);
            return new Levels(u, h.limit(i), h.limited(i), h.heapMax(i), resident, resident >= 0 ? u - resident : u,
                    h.liveHeap(i));
        }

        long ceilings() {
            return heapMax > 0 && heapResident >= 0 ? heapMax + rest : -1;
        }

        boolean ceilingsExceedLimit() {
            long c = ceilings();
            return c > 0 && limit > 0 && c > limit;
        }

        long heapCeiling() {
            if (heapResident < 0) {
                return -1;
            }
            if (limit > 0) {
                return heapMax > 0 ? Math.min(heapMax, limit - rest) : limit - rest;
            }
            return heapMax;
        }
    }

    /**
     * @param heapExpansion in and out: the long window's net heap growth per second, set by the first
     *                      (long) window and used by the short one, where pages written after a heap
     *                      step show in the rest a second or two after the step has left it
     */
    private static Estimate fine(History h, int from, Levels now, ForecastSettings st, double[] heapExpansion) {
        double[] t = h.scratchT;
        double[] y = h.scratchY;
        Fit rest = fit(h, SERIES_REST, from, t, y);
        Fit resident = fit(h, SERIES_HEAP_RESIDENT, from, t, y);
        Fit live = fit(h, SERIES_LIVE_HEAP, from, t, y);
        int capped = cappedGrowth(h, from, st);
        Estimate e = estimate(rest, resident, live, now, st, false, heapExpansion[0], h, capped);
        if (resident.netSlope > heapExpansion[0]) {
            heapExpansion[0] = resident.netSlope;
        }
        return e;
    }

    /**
     * The growth of each part a JVM flag caps ({@link History#setCeiling}) over the window, into
     * {@link History#scratchCappedRate}, and its room to the cap, into {@link History#scratchCappedRoom}.
     * Only the parts that grow: the count of entries filled.
     */
    private static int cappedGrowth(History h, int from, ForecastSettings st) {
        int n = 0;
        int last = h.size() - 1;
        for (int c = 0; c < h.ceilingCount(); c++) {
            int k = h.partColumn(h.ceilingId(c));
            if (k < 0 || h.partKib(k, last) == History.ABSENT || !mayGrow(h, k, from, st.minGrowthBytes())) {
                continue;
            }
            double rate = fit(h, k, from, h.scratchT, h.scratchY).growth(st);
            if (rate > 0) {
                h.scratchCappedRate[n] = rate;
                h.scratchCappedRoom[n] = Math.max(0, h.ceilingBytes(c) - h.partLatestBytes(k));
                n++;
            }
        }
        return n;
    }

    private static Estimate estimate(Fit rest, Fit resident, Fit live, Levels now, ForecastSettings st,
                                     boolean coarse, double longerHeapExpansion, History h, int capped) {
        Estimate e = new Estimate();
        double rR = rest.growth(st);
        double rL = live.span >= LIVE_MIN_SPAN_SECONDS ? live.growth(st) : 0;
        double rH = rL;
        Fit heapDriver = live;
        double residentGrowth = resident.growth(st);
        if (now.ceilingsExceedLimit() && residentGrowth > rH) {
            // Max heap and the rest do not fit the limit: the heap growing into its max is then
            // enough for the kill, leak or not.
            rH = residentGrowth;
            heapDriver = resident;
        }
        boolean heapBelowMax = now.heapResident >= 0 && (now.heapMax <= 0 || now.heapResident < now.heapMax);
        if (!heapBelowMax) {
            rH = 0;
        }
        double[] rate = h.scratchPieceRate;
        double[] stop = h.scratchPieceStop;
        int pieces = 3;
        // A part the JVM caps grows to its cap and no further: past it the JVM throws an
        // OutOfMemoryError of its own (direct buffer memory, Metaspace), which is the JVM's to
        // report, not a kill. That share of the rest's growth stops at the part's room (measured:
        // a 120 MiB step of direct buffers at 39 MiB/s, in the limit recommended for it with
        // MaxDirectMemorySize above the step, "forecast" the limit in 12 s).
        double ownAndCoupled = rR;
        double cappedGrowth = 0;
        for (int c = 0; c < capped; c++) {
            double share = Math.min(ownAndCoupled, h.scratchCappedRate[c]);
            if (share <= 0) {
                break;
            }
            ownAndCoupled -= share;
            cappedGrowth += share;
            rate[pieces] = share;
            stop[pieces] = h.scratchCappedRoom[c] / share;
            pieces++;
        }
        // While the heap expands, part of what grows beside it is the expansion's own: the
        // collector's structures are sized by the committed heap (card table, mark bitmaps,
        // remembered sets), and heap pages written before the peak-use estimate saw them show
        // there too. That share of the rest's growth ends with the heap, at max heap (measured:
        // Parallel on JDK 25 growing its heap from 8 to 330 MiB in 3 s, the rest at 16 MiB/s
        // beside 55 MiB/s of heap, "forecast" the limit in 8 s; the heap stopped and so did the rest).
        // The heap's growth over the window, the net change counted too, and over the long window for
        // the short one: Serial expands in one step, and the pages it writes after it show in the rest
        // up to 1.5 s later (measured: 13 to 19 MiB, when the five samples of the short window saw the
        // heap flat after a 52 MiB step).
        double heapRate = Math.max(Math.max(residentGrowth, resident.netSlope > 0 ? resident.netSlope : 0),
                longerHeapExpansion);
        double rX = 0;
        double coupledRoom = 0;
        if (ownAndCoupled > 0 && heapRate > 0 && heapBelowMax && now.heapMax > 0) {
            rX = Math.min(ownAndCoupled, HEAP_COUPLED_SHARE * heapRate);
            coupledRoom = rX * (now.heapMax - now.heapResident) / heapRate;
        }
        double rOwn = ownAndCoupled - rX;
        // With nothing heading for the limit, the live data's growth (an OutOfMemoryError coming) is
        // what the confidence speaks of.
        Fit driver = rH > rOwn + cappedGrowth ? heapDriver : rOwn + cappedGrowth > 0 ? rest : rL > 0 ? live : rest;
        e.growth = rOwn + rH + rX + cappedGrowth;
        e.heapExpansion = driver == resident && rH > 0;
        e.basis = driver.span;
        e.confidence = driver.confidence(st) * (now.limited ? 1 : st.unlimitedConfidence());
        e.secondsToLimit = Double.NaN;
        long limit = now.limit;
        if (limit > 0 && e.growth > 0) {
            if (now.unreclaimable >= limit) {
                e.secondsToLimit = 0;
            } else {
                // The heap stops at max heap: from then on only the rest's own growth moves the
                // unreclaimable memory (and the live data filling max heap is an OutOfMemoryError,
                // not a kill); what grew with the heap stops with it, each capped part at its cap.
                double heapRoom = now.heapMax > 0 ? Math.max(0, now.heapMax - now.heapResident) : Double.POSITIVE_INFINITY;
                rate[0] = rOwn;
                stop[0] = Double.POSITIVE_INFINITY;
                rate[1] = rH;
                stop[1] = rH > 0 ? heapRoom / rH : 0;
                rate[2] = rX;
                stop[2] = rX > 0 ? coupledRoom / rX : 0;
                e.secondsToLimit = secondsToGap(limit - now.unreclaimable, rate, stop, pieces);
            }
        }
        // An estimate is only as good as how far it reaches beyond the data behind it: a rise seen
        // over 5 s says little about where memory will be in 100 s (measured: page-cache churn swung
        // kernel memory between 0.8 and 6.5 MiB and, over a 5-sample window, "forecast" the limit in
        // 113 s). A few seconds reach three times their span; the reach grows with the time behind
        // the slope, up to MAX_EXTRAPOLATION times at 60 s. Past it, confidence falls in proportion.
        // Time, not the number of samples: samples taken twice as often over the same seconds
        // steady the slope but say no more about how long the growth will last (measured: at a
        // 500 ms interval a JIT warm-up seen for 15 s "forecast" the limit 286 s ahead).
        if (e.secondsToLimit > 0 && driver.count > 1) {
            double span = driver.span * driver.count / (driver.count - 1);
            double reach = (coarse ? COARSE_EXTRAPOLATION
                    : Math.max(MIN_EXTRAPOLATION, Math.min(MAX_EXTRAPOLATION, span / REACH_SECONDS_PER_SPAN))) * span;
            if (e.secondsToLimit > reach) {
                e.confidence *= reach / e.secondsToLimit;
            }
        }
        e.liveHeapGrowth = rL;
        return e;
    }

    /**
     * Seconds until the unreclaimable memory has grown by {@code gap}: the rest's own growth goes on,
     * the heap's stops after {@code heapRoom}, and what grows with the heap stops after
     * {@code coupledRoom}. NaN when it never gets there.
     */
    static double secondsToGap(double gap, double rOwn, double rH, double heapRoom, double rX, double coupledRoom) {
        double[] rate = {rOwn, rH, rX};
        double[] stop = {Double.POSITIVE_INFINITY, rH > 0 ? heapRoom / rH : 0, rX > 0 ? coupledRoom / rX : 0};
        return secondsToGap(gap, rate, stop, 3);
    }

    /**
     * Seconds until growth pieces that each go on at {@code rate[i]} until {@code stop[i]} seconds
     * from now have added {@code gap} together. NaN when they stop short of it.
     */
    static double secondsToGap(double gap, double[] rate, double[] stop, int pieces) {
        double t = 0;
        double grown = 0;
        while (true) {
            double sum = 0;
            double next = Double.POSITIVE_INFINITY;
            for (int i = 0; i < pieces; i++) {
                if (rate[i] > 0 && stop[i] > t) {
                    sum += rate[i];
                    next = Math.min(next, stop[i]);
                }
            }
            if (sum <= 0) {
                return Double.NaN;
            }
            if (next == Double.POSITIVE_INFINITY || grown + sum * (next - t) >= gap) {
                return t + (gap - grown) / sum;
            }
            grown += sum * (next - t);
            t = next;
        }
    }

    /**
     * Refaults of file pages over the last {@link Thrashing#WINDOW_SECONDS}: the page cache the limit
     * leaves is smaller than what the service keeps reading.
     */
    private static Thrashing thrashing(History h, Levels now) {
        int last = h.size() - 1;
        long latest = h.refaults(last);
        if (latest < 0) {
            return Thrashing.NONE;
        }
        long room = now.limit > 0 ? Math.max(0, now.limit - now.unreclaimable) : -1;
        long oldest = h.time(last) - (long) (Thrashing.WINDOW_SECONDS * 1000);
        int from = last;
        while (from > 0 && h.time(from - 1) >= oldest && h.refaults(from - 1) >= 0) {
            from--;
        }
        double seconds = (h.time(last) - h.time(from)) / 1000.0;
        if (from == last || seconds <= 0 || latest < h.refaults(from)) {
            return new Thrashing(false, Double.NaN, room);
        }
        double rate = (latest - h.refaults(from)) * (double) Thrashing.PAGE_BYTES / seconds;
        // Half the window at least, so that one burst between two samples is not a state.
        boolean active = seconds >= Thrashing.WINDOW_SECONDS / 2 && rate >= Thrashing.MIN_REFAULT_BYTES_PER_SECOND;
        return new Thrashing(active, rate, room);
    }

    /** The parts that grow over the long window, fastest first (page cache and corrections left out). */
    private static List<Trend> growing(History h, int from, Estimate e, Levels now, ForecastSettings st) {
        Trend[] found = null;
        int count = 0;
        int parts = h.partCount();
        int last = h.size() - 1;
        for (int k = 0; k < parts; k++) {
            if (h.partKib(k, last) == History.ABSENT || !mayGrow(h, k, from, st.minGrowthBytes())) {
                continue;
            }
            String id = h.partId(k);
            // Reclaimable page cache is not what a kill comes from; the not-resident corrections
            // rise towards zero as committed memory is touched, the growth of another part.
            // Every part of the page-cache group: the cgroup's active file pages, or, watching the
            // process (Snapshot.watchesProcess), its mapped files.
            if (PartCatalogue.PAGE_CACHE.equals(PartCatalogue.group(id)) || PartCatalogue.isResidencyCorrection(id)) {
                continue;
            }
            double rate = fit(h, k, from, h.scratchT, h.scratchY).growth(st);
            if (rate > 0) {
                if (found == null) {
                    found = new Trend[parts + 1];
                }
                found[count++] = new Trend(id, h.partLabel(k), h.partLatestBytes(k), rate);
            }
        }
        if (e.liveHeapGrowth > 0 && now.live >= 0) {
            if (found == null) {
                found = new Trend[parts + 1];
            }
            found[count++] = new Trend(LIVE_HEAP, "Java heap after GC", now.live, e.liveHeapGrowth);
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
    private static Fit fit(History h, int series, int from, double[] t, double[] y) {
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
        // The fine windows are too short for halves to say anything; the reach limit covers them.
        return Fit.of(t, y, n, h.scratchPairs, false);
    }

    private static double value(History h, int series, int i) {
        switch (series) {
            case SERIES_REST: {
                long resident = h.heapResident(i);
                return resident >= 0 ? h.unreclaimable(i) - resident : h.unreclaimable(i);
            }
            case SERIES_HEAP_RESIDENT: {
                long v = h.heapResident(i);
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

    /** One scale's estimate. */
    private static final class Estimate {
        double secondsToLimit = Double.NaN;
        double confidence;
        double growth;
        double liveHeapGrowth;
        double basis = Double.NaN;
        boolean heapExpansion;
    }
}
