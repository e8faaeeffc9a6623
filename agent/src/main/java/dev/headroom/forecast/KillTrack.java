package dev.headroom.forecast;

/**
 * Where the recent ticks' forecasts put the kill, as an instant on the clock, and whether that
 * instant holds or keeps moving away.
 *
 * <p>A leak's kill instant stays put from tick to tick: each second of growth brings the limit one
 * second closer, so {@code now + secondsToLimit} is the same instant again (sooner, if the leak
 * speeds up). Growth that is slowing down pushes the instant away as fast as time passes, or
 * faster: the start of a JVM (class loading, JIT compilation, a second agent starting beside it), a
 * cache filling, a pool warming up. Each tick's slope is a little lower than the last, and with
 * much room left a small change of slope moves a far forecast a long way (measured on a synthetic
 * warm-up of 150 MiB of native memory approaching its plateau with a 20 s time constant: "limit
 * forecast in 62 s" at 9 s, in 63 s at 19 s, so the instant moved 11 s in 10 s). The slope of the
 * instants against time tells the two apart: about 0 for a leak, about 1 or more for growth that
 * levels off, whatever the rates and sizes (for growth that levels off exponentially it is
 * the time left divided by the time constant). A forecast whose instant recedes faster than
 * {@link #RECEDING} seconds a second is not a kill coming.
 *
 * <p>The instants are looked at over the last {@code min(secondsToLimit / 5, basis / 2)} (at
 * least two intervals, at most {@link #MAX_LOOK_BACK_SECONDS}): a fifth of the way to the kill, so
 * a fast leak is judged over a few ticks; at most half the data behind the forecast, so that in the
 * first seconds only the first seconds are compared. Without enough earlier estimates in that span
 * the verdict is {@link Verdict#UNKNOWN}, which does not hold a warning back: a leak that starts
 * fast must not wait for a history.
 *
 * <p>{@link #ageSeconds} says how long the forecasts have had an estimate without a break: how long
 * the growth they project has been seen. Growth that appeared late in what the agent has watched
 * may reach only so far past that (the policy's rule): growth that began an hour into the run has only
 * its own seconds behind it, not the hour of flat data before (measured in the cgroup v2 guest: a
 * JVM's warm-up, slow under emulation, gave a first estimate "limit forecast in 75 s" at 20 % of the
 * limit, and 3 s later 294 s). Fixed rings of primitives: nothing is allocated per tick.
 */
public final class KillTrack {

    /** Seconds the kill instant may move away per second before the forecast counts as receding. */
    static final double RECEDING = 0.25;
    static final double MAX_LOOK_BACK_SECONDS = 600;
    /** Spacing of the coarse ring, which covers look-backs longer than the per-tick ring holds. */
    static final long COARSE_SPACING_MILLIS = 10_000;
    private static final int CAPACITY = 64;
    /** The points must cover this much of the look-back to be judged. */
    private static final double COVERAGE = 0.75;

    /** What the instants say of the latest forecast. */
    public enum Verdict {
        /** The instant stays put or comes closer: the forecast can be believed. */
        HOLDS,
        /** The instant moves away as fast as time passes: growth that levels off. */
        RECEDING,
        /** Too few earlier estimates to judge. */
        UNKNOWN
    }

    private final Ring perTick = new Ring();
    private final Ring coarse = new Ring();
    private final double[] scratchT = new double[CAPACITY];
    private final double[] scratchY = new double[CAPACITY];
    private final double[] scratchPairs = new double[CAPACITY];
    private double lastSlope = Double.NaN;

    /** Records this tick's forecast (with or without an estimate). */
    public void add(Forecast f) {
        if (f == null || f.epochMillis() < 0) {
            return;
        }
        long now = f.epochMillis();
        double kill = f.hasEstimate() && Double.isFinite(f.secondsToLimit())
                ? now / 1000.0 + f.secondsToLimit() : Double.NaN;
        perTick.add(now, kill);
        age(now, f, kill);
        if (coarse.count == 0 || now - coarse.latestTime() >= COARSE_SPACING_MILLIS) {
            coarse.add(now, kill);
        }
    }

    /**
     * Whether the latest forecast's kill instant holds, judged over the look-back for its
     * distance; call after {@link #add} of the same forecast.
     */
    public Verdict judge(Forecast f, double intervalSeconds) {
        lastSlope = Double.NaN;
        if (f == null || !f.hasEstimate() || !Double.isFinite(f.secondsToLimit())) {
            return Verdict.UNKNOWN;
        }
        double lookBack = f.secondsToLimit() / 5;
        if (Double.isFinite(f.basisSeconds())) {
            lookBack = Math.min(lookBack, f.basisSeconds() / 2);
        }
        lookBack = Math.min(MAX_LOOK_BACK_SECONDS, Math.max(2 * intervalSeconds, lookBack));
        long from = f.epochMillis() - (long) (lookBack * 1000);
        Ring ring = perTick.oldestTime() <= from ? perTick : coarse;
        int n = ring.points(from, f.epochMillis(), scratchT, scratchY);
        if (n < 3 || scratchT[n - 1] - scratchT[0] < COVERAGE * lookBack) {
            return Verdict.UNKNOWN;
        }
        lastSlope = quarterSlope(n);
        if (Double.isNaN(lastSlope)) {
            return Verdict.UNKNOWN;
        }
        return lastSlope > RECEDING ? Verdict.RECEDING : Verdict.HOLDS;
    }

    /**
     * How fast the instant moved: from the median of the oldest quarter of the points to the median
     * of the newest quarter. Medians, so that a noisy early estimate does not decide; the ends of the
     * look-back rather than every pair (Theil–Sen), because a coarse scale's estimate changes only
     * when its bucket closes, and between two closes its instant stands still: pairs inside one
     * stretch would all say 0.
     */
    private double quarterSlope(int n) {
        int k = Math.max(1, n / 4);
        System.arraycopy(scratchT, 0, scratchPairs, 0, k);
        double oldT = RobustSlope.median(scratchPairs, k);
        System.arraycopy(scratchY, 0, scratchPairs, 0, k);
        double oldY = RobustSlope.median(scratchPairs, k);
        System.arraycopy(scratchT, n - k, scratchPairs, 0, k);
        double newT = RobustSlope.median(scratchPairs, k);
        System.arraycopy(scratchY, n - k, scratchPairs, 0, k);
        double newY = RobustSlope.median(scratchPairs, k);
        return newT > oldT ? (newY - oldY) / (newT - oldT) : Double.NaN;
    }

    /**
     * How long the forecasts have had an estimate of {@link #AGE_MIN_CONFIDENCE} or more (one the
     * policy might listen to; the flickers of a flat series have next to none) without a break: from
     * the first such estimate that no stretch without one longer than {@code max(}{@value #GAP_SECONDS}
     * {@code  s, }{@value #GAP_TICKS}{@code  intervals, a quarter of the data behind the estimate that
     * ends it)} separates from the newest. {@code NaN} when the
     * latest forecast has no such estimate.
     */
    public double ageSeconds() {
        return lastQualified >= 0 && lastQualified == latestTick ? (latestTick - runStart) / 1000.0 : Double.NaN;
    }

    /** Seconds from the first forecast recorded to the latest: how long the agent has watched. */
    public double historySeconds() {
        return firstTick < 0 ? 0 : (latestTick - firstTick) / 1000.0;
    }

    /** Half the policy's default minimum confidence: an estimate on its way to being listened to. */
    static final double AGE_MIN_CONFIDENCE = 0.25;
    /** A stretch without an estimate shorter than this does not end a run of them. */
    static final double GAP_SECONDS = 10;
    static final int GAP_TICKS = 5;
    static final double GAP_OF_BASIS = 0.25;

    private long firstTick = -1;
    private long latestTick = -1;
    private long lastQualified = -1;
    private long runStart = -1;

    private void age(long now, Forecast f, double kill) {
        long spacing = latestTick < 0 ? 0 : Math.max(0, now - latestTick);
        if (firstTick < 0) {
            firstTick = now;
        }
        latestTick = now;
        if (Double.isNaN(kill) || !(f.confidence() >= AGE_MIN_CONFIDENCE)) {
            return;
        }
        // A coarse scale's estimate comes and goes as its buckets close: a forecast standing on hours
        // of data bridges a gap of a quarter of them.
        double basis = Double.isFinite(f.basisSeconds()) ? f.basisSeconds() : 0;
        long gap = (long) Math.max(Math.max(GAP_SECONDS * 1000, GAP_TICKS * spacing), basis * 1000 * GAP_OF_BASIS);
        if (lastQualified < 0 || now - lastQualified > gap) {
            runStart = now;
        }
        lastQualified = now;
    }

    /** Seconds the kill instant moved per second in the last {@link #judge}; {@code NaN} if not judged. */
    public double lastSlope() {
        return lastSlope;
    }

    /** The last {@link #CAPACITY} (time, kill instant) pairs, oldest overwritten. */
    private static final class Ring {
        final long[] times = new long[CAPACITY];
        final double[] kills = new double[CAPACITY];
        int next;
        int count;

        void add(long time, double kill) {
            times[next] = time;
            kills[next] = kill;
            next = (next + 1) % CAPACITY;
            count = Math.min(count + 1, CAPACITY);
        }

        long latestTime() {
            return times[(next - 1 + CAPACITY) % CAPACITY];
        }

        long oldestTime() {
            return count == 0 ? Long.MAX_VALUE : times[(next - count + CAPACITY) % CAPACITY];
        }

        /** The points with an estimate at or after {@code from}, oldest first, times in seconds. */
        int points(long from, long to, double[] t, double[] y) {
            int n = 0;
            for (int k = count; k >= 1; k--) {
                int i = (next - k + CAPACITY) % CAPACITY;
                if (times[i] < from || times[i] > to || Double.isNaN(kills[i])) {
                    continue;
                }
                t[n] = (times[i] - to) / 1000.0;
                y[n] = kills[i] - to / 1000.0;
                n++;
            }
            return n;
        }
    }
}
