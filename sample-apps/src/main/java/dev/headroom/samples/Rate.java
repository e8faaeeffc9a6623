package dev.headroom.samples;

/**
 * Paces a growth loop: {@link #step()} returns how many units to add now so that, over time,
 * {@code perSecond} units are added each second in 20 even steps.
 */
final class Rate {

    private static final long STEP_NANOS = 50_000_000L;

    private final double perStep;
    private final long end;
    private long next = System.nanoTime();
    private double owed;

    Rate(double perSecond, long seconds) {
        this.perStep = perSecond * STEP_NANOS / 1e9;
        this.end = seconds <= 0 ? Long.MAX_VALUE : System.nanoTime() + seconds * 1_000_000_000L;
    }

    /** Waits for the next step; returns the whole units owed, or -1 when the run is over. */
    long step() throws InterruptedException {
        if (System.nanoTime() >= end) {
            return -1;
        }
        next += STEP_NANOS;
        long wait = next - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
        }
        owed += perStep;
        long whole = (long) owed;
        owed -= whole;
        return whole;
    }

    static double arg(String[] args, int i, double fallback) {
        return args.length > i ? Double.parseDouble(args[i]) : fallback;
    }

    static void ready(String name, String detail) {
        System.out.println(name + " ready: " + detail);
        System.out.flush();
    }

    static void done(String name, String detail) {
        System.out.println(name + " done: " + detail);
        System.out.flush();
    }
}
