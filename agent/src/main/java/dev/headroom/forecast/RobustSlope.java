package dev.headroom.forecast;

/**
 * Slope and trend statistics that one outlier cannot move, on caller-provided arrays so a tick
 * allocates nothing. Points are {@code (t[i], y[i])} for {@code i < n}, with {@code t} ascending.
 */
final class RobustSlope {

    private RobustSlope() {
    }

    /**
     * The Theil–Sen estimator: the median of the slopes of all pairs of points. Up to 29% of the
     * points can be arbitrary (a spike, a GC pause that delayed a sample) without moving it far,
     * unlike least squares, where one spike tilts the whole line. {@code NaN} with fewer than two
     * distinct times.
     *
     * @param pairs scratch of at least {@code n(n-1)/2} entries
     */
    static double theilSen(double[] t, double[] y, int n, double[] pairs) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double dt = t[j] - t[i];
                if (dt > 0) {
                    pairs[m++] = (y[j] - y[i]) / dt;
                }
            }
        }
        return median(pairs, m);
    }

    /**
     * Kendall's tau against time: (rising pairs − falling pairs) / all pairs, in -1..1. 1 when
     * every later point is above every earlier one, about 0 for noise around a level, so it says
     * how consistent a growth is, independently of its size.
     */
    static double kendallTau(double[] t, double[] y, int n) {
        int concordant = 0;
        int discordant = 0;
        int pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (t[j] <= t[i]) {
                    continue;
                }
                pairs++;
                if (y[j] > y[i]) {
                    concordant++;
                } else if (y[j] < y[i]) {
                    discordant++;
                }
            }
        }
        return pairs == 0 ? 0 : (double) (concordant - discordant) / pairs;
    }

    /**
     * How many consecutive steps rise by at least {@code minRate} per second. Given a share of the
     * fitted slope, this tells sustained growth (many steps each carry part of it) from a single
     * jump (one step carries all of it, the others are noise).
     */
    static int rises(double[] t, double[] y, int n, double minRate) {
        int rises = 0;
        for (int i = 1; i < n; i++) {
            double dy = y[i] - y[i - 1];
            if (dy > 0 && dy >= minRate * (t[i] - t[i - 1])) {
                rises++;
            }
        }
        return rises;
    }

    /**
     * The largest share of the series' rise (the sum of its rising steps) that any {@code run}
     * consecutive steps carry: 1 when one jump made all of it, about {@code run / (n - 1)} for
     * steady growth; 0 when the series never rises.
     */
    static double largestRunShare(double[] y, int n, int run) {
        double total = 0;
        double inRun = 0;
        double largest = 0;
        for (int i = 1; i < n; i++) {
            double rise = Math.max(0, y[i] - y[i - 1]);
            total += rise;
            inRun += rise;
            if (i > run) {
                inRun -= Math.max(0, y[i - run] - y[i - run - 1]);
            }
            largest = Math.max(largest, inRun);
        }
        return total > 0 ? largest / total : 0;
    }

    /** The median of {@code a[0..n)}, reordering it; {@code NaN} when empty. */
    static double median(double[] a, int n) {
        if (n == 0) {
            return Double.NaN;
        }
        int half = n / 2;
        double upper = select(a, n, half);
        if ((n & 1) == 1) {
            return upper;
        }
        // After selecting index half, everything before it is <= a[half]: the lower middle is their maximum.
        double lower = a[0];
        for (int i = 1; i < half; i++) {
            if (a[i] > lower) {
                lower = a[i];
            }
        }
        return (lower + upper) / 2;
    }

    /** Hoare's quickselect: the k-th smallest of {@code a[0..n)}, leaving smaller ones before it. */
    private static double select(double[] a, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            double pivot = a[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    double tmp = a[i];
                    a[i] = a[j];
                    a[j] = tmp;
                    i++;
                    j--;
                }
            }
            if (k <= j) {
                hi = j;
            } else if (k >= i) {
                lo = i;
            } else {
                break;
            }
        }
        return a[k];
    }
}
