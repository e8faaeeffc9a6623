package dev.headroom.forecast;

/** One series' robust fit over a window: slope, how consistent, how many rising steps. */
final class Fit {

    /** A step counts as a rise when it carries at least this share of the fitted slope. */
    static final double RISE_SHARE = 0.25;

    static final Fit NONE = new Fit();

    /** The share of the window's slope its later half must keep for the growth to be a trend. */
    static final double PACE_KEPT = 0.8;

    /**
     * A window of at least this many points is judged for a step ({@link #step}); with fewer,
     * every rise is carried by one or two steps, and a leak that starts with the JVM must be
     * forecast from its first samples.
     */
    static final int STEP_MIN_POINTS = 5;

    /**
     * The share of a window's rise that a short run of its steps may carry before the rise is one
     * step rather than a trend: a burst that takes a block of memory in a moment (a large request,
     * a batch loaded whole) and holds it. Steady growth spreads its rise over all the steps.
     */
    static final double STEP_SHARE = 0.8;

    /** The run of steps {@link #STEP_SHARE} is judged over: two steps, or a quarter of the window. */
    static int stepRun(int points) {
        return Math.max(2, (points - 1) / 4);
    }

    int count;
    /** Seconds from the first to the last point. */
    double span;
    double slope = Double.NaN;
    double tau;
    /** The change from the window's first point to its last, per second: a step counts in full. */
    double netSlope = Double.NaN;
    int rises;
    /**
     * Whether the later half of the window grows too: growth that a step early in the window
     * made (a heap expansion, a cache filled once) is flat since, and is not a trend.
     */
    boolean consistent = true;
    /**
     * Whether the window's rise is one step: {@link #STEP_SHARE} of it or more in a run of
     * {@link #stepRun} consecutive steps. A level that moved once is not a rate to extrapolate; a
     * leak shows its rise again at the next samples, and is a trend once they spread it.
     */
    boolean step;

    /**
     * Fits points {@code (t[i], y[i])}, {@code i < n}, t ascending.
     *
     * @param checkHalves whether to also fit the later half for {@link #consistent}
     */
    static Fit of(double[] t, double[] y, int n, double[] pairs, boolean checkHalves) {
        Fit f = new Fit();
        f.count = n;
        if (n >= 2) {
            f.span = t[n - 1] - t[0];
            f.netSlope = f.span > 0 ? (y[n - 1] - y[0]) / f.span : Double.NaN;
            f.tau = RobustSlope.kendallTau(t, y, n);
            f.slope = RobustSlope.theilSen(t, y, n, pairs);
            f.rises = f.slope > 0 ? RobustSlope.rises(t, y, n, RISE_SHARE * f.slope) : 0;
            f.step = f.slope > 0 && n >= STEP_MIN_POINTS && RobustSlope.largestRunShare(y, n, stepRun(n)) >= STEP_SHARE;
            if (checkHalves && n >= 6 && f.slope > 0) {
                int from = n / 2;
                int m = n - from;
                // Shift the later half to the front of the scratch: the pairs are rebuilt anyway.
                System.arraycopy(t, from, t, 0, m);
                System.arraycopy(y, from, y, 0, m);
                double later = RobustSlope.theilSen(t, y, m, pairs);
                // Most of the whole window's pace: growth that levels off (a start-up, a cache
                // filling) has a later half much flatter than its first.
                f.consistent = later >= PACE_KEPT * f.slope;
            }
        }
        return f;
    }

    /**
     * The growth rate in bytes per second, or 0 when the series does not grow: too few samples,
     * a falling or flat slope, less growth over the window than the noise floor, growth that
     * the later half of the window does not show, or a rise that one step made.
     */
    double growth(ForecastSettings st) {
        if (count < st.minSamples() || !(slope > 0) || slope * span < st.minGrowthBytes() || !consistent || step) {
            return 0;
        }
        return slope;
    }

    /** 0..1: rises with the number of samples and with how consistently the series grows. */
    double confidence(ForecastSettings st) {
        if (count < st.minSamples() || !(slope > 0) || rises < st.minRises() || !consistent || step) {
            return 0;
        }
        double samples = 1 - Math.pow(0.5, count - st.minSamples() + 1);
        return samples * Math.max(0, tau);
    }
}
