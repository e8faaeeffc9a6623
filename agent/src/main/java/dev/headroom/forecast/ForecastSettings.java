package dev.headroom.forecast;

/**
 * How the {@link Forecaster} reads the history.
 *
 * @param minSamples          samples a slope needs before it counts at all (3: two steps)
 * @param shortWindow         samples of the short window, which sees growth that started recently
 *                            (5: at a 1 s interval a leak is seen within 3 s even after hours of calm)
 * @param window              samples of the long window (30), which steadies slow or noisy growth;
 *                            Theil–Sen costs window²/2 slope computations, so keep it small
 * @param windowSeconds       samples older than this before the latest are not used, so that a long
 *                            pause of the agent does not join two unrelated stretches (300 s)
 * @param minRises            consecutive rising steps the growth must show in its window (2): a single
 *                            spike has one
 * @param minGrowthBytes      growth smaller than this over a window is noise (1 MiB)
 * @param minConfidence       a short-window estimate is preferred over the long one (when sooner) only
 *                            if at least this confident (0.5)
 * @param unlimitedConfidence factor applied to the confidence when the limit is host memory rather
 *                            than a limit anyone set (0.5)
 */
public record ForecastSettings(
        int minSamples,
        int shortWindow,
        int window,
        double windowSeconds,
        int minRises,
        long minGrowthBytes,
        double minConfidence,
        double unlimitedConfidence) {

    public ForecastSettings {
        if (minSamples < 2) {
            throw new IllegalArgumentException("minSamples must be at least 2, was " + minSamples);
        }
        if (shortWindow < minSamples || window < shortWindow || window > 200) {
            throw new IllegalArgumentException("need minSamples <= shortWindow <= window <= 200, were "
                    + minSamples + ", " + shortWindow + ", " + window);
        }
        if (!(windowSeconds > 0) || minRises < 0 || minGrowthBytes < 0
                || !(minConfidence >= 0 && minConfidence <= 1)
                || !(unlimitedConfidence >= 0 && unlimitedConfidence <= 1)) {
            throw new IllegalArgumentException("invalid forecast settings");
        }
    }

    public static ForecastSettings defaults() {
        return new ForecastSettings(3, 5, 30, 300, 2, 1L << 20, 0.5, 0.5);
    }

    public ForecastSettings withWindow(int shortWindow, int window) {
        return new ForecastSettings(minSamples, shortWindow, window, windowSeconds, minRises, minGrowthBytes,
                minConfidence, unlimitedConfidence);
    }
}
