package dev.headroom.act;

import dev.headroom.forecast.Forecast;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.cgroup.CgroupMemory;

/**
 * Which ticks read everything and which only look. A full tick reads the cgroup, the process and
 * the JVM, reconciles, forecasts, decides and publishes; a quick tick reads the cgroup's usage (one
 * small file) and stops there when nothing can have come closer to the limit. Far from the limit
 * and steady, most ticks are quick; as soon as anything moves, every tick is full again.
 *
 * <p>Why a quick tick cannot miss a step to the critical level (or to the warning level): usage is
 * an upper bound of what the policy's shares are made of (the unreclaimable memory is usage less
 * reclaimable page cache), and quick ticks are allowed only while usage stays below
 * {@code warnShare × limit} (and {@code memory.high}) less one move. A working set that steps to
 * {@code criticalShare} raises usage at least as far, above that ceiling, so the quick look of that
 * very interval calls a full tick. {@code SamplingCadenceTest} checks it over random steps.
 *
 * <p>A tick is full when:
 * <ul>
 *   <li>the last full tick was not calm: a level above OK or just changed, actions taken, a forecast
 *       with an estimate of confidence {@link #CALM_CONFIDENCE} or more (of the limit or of the heap's
 *       own max), or no cgroup limit to look at (the process's own memory is watched then);</li>
 *   <li>usage is at or above the ceiling, or moved by {@link #MOVE_SHARE} of the limit (at least
 *       {@link #MIN_MOVE_BYTES}) since the last full tick, so that slow growth still reaches the
 *       forecaster as samples a move apart;</li>
 *   <li>usage could not be read;</li>
 *   <li>{@link #FULL_EVERY_MILLIS} have passed since the last full tick, so that the history, the
 *       published meters and the snapshot events stay fresh, and what usage does not show (the
 *       live heap filling an already committed heap, a parent's changed limit, a move to another
 *       cgroup, a small process killed beside this one) is seen within that time. While the full
 *       ticks keep finding usage within a move of where the one before found it (the timer called
 *       them, not usage) and nothing else of note, that gap doubles each time, up to
 *       {@link #CALM_FULL_EVERY_MILLIS}: a service that sits still is read in full once a minute,
 *       and the first full tick that is not calm, or that usage called, brings it back to
 *       {@link #FULL_EVERY_MILLIS}.</li>
 * </ul>
 * The risk sets the cadence, then: far from the limit and still, one full tick a minute and a
 * look at usage each interval; moving, one full tick each move or every 10 s; near the limit, or
 * with anything forecast, every tick full. (Issue 17: the full tick is most of the agent's cost
 * while its code is still interpreted, which at one tick a second is its first hour.)
 * Pure: time and readings are the caller's.
 */
public final class SamplingCadence {

    /** A full tick at least this often, as long as the full ticks find anything moving. */
    public static final long FULL_EVERY_MILLIS = 10_000;
    /** ... and at least this often while they keep finding usage where it was. */
    public static final long CALM_FULL_EVERY_MILLIS = 60_000;
    /** A move of usage by this share of the limit since the last full tick calls a full tick. */
    public static final double MOVE_SHARE = 0.005;
    /** ... and never by less than this. */
    public static final long MIN_MOVE_BYTES = 1L << 20;
    /** A forecast this confident says something moves toward a limit: every tick full. */
    public static final double CALM_CONFIDENCE = 0.1;

    private long fullMillis = Long.MIN_VALUE;
    private long usageAtFull = -1;
    private long ceilingBytes = -1;
    private long moveBytes = MIN_MOVE_BYTES;
    private long fullEveryMillis = FULL_EVERY_MILLIS;
    private boolean calm;

    /**
     * Whether this tick must be full.
     *
     * @param usageBytes the cgroup's usage read just now, {@code -1} when unknown or not read
     */
    public boolean fullDue(long nowMillis, long usageBytes) {
        if (!calm || usageBytes < 0 || nowMillis < fullMillis || nowMillis - fullMillis >= fullEveryMillis) {
            return true;
        }
        return usageBytes >= ceilingBytes || Math.abs(usageBytes - usageAtFull) >= moveBytes;
    }

    /**
     * Whether usage is still within a sixteenth of a move of the last full tick's: then that tick's
     * sample, carried forward to now, is what a full read would have found, and the history keeps
     * its pace (the forecaster's windows count samples, so without them a calm stretch shrinks to a
     * sample or two and the growth after it fills the windows alone). Further off, a carried sample
     * is a stair of a slow leak's ramp (a slope read as flat): at a quarter of a move the 0.05 MiB/s
     * leak of SamplingCadenceTest was warned 40 s late; so none is carried until the next full tick.
     */
    public boolean flatSinceFull(long usageBytes) {
        return calm && usageBytes >= 0 && Math.abs(usageBytes - usageAtFull) < moveBytes / 16;
    }

    /** Whether the next ticks may be quick, from what the last full tick found. */
    public boolean calm() {
        return calm;
    }

    /** How long the quick ticks may go on after the last full one, usage staying put. */
    public long fullEveryMillis() {
        return fullEveryMillis;
    }

    /** The usage at and above which every tick is full ({@code -1} while not calm). */
    public long ceilingBytes() {
        return calm ? ceilingBytes : -1;
    }

    /**
     * A full tick ran: what it found decides whether the next ones may be quick.
     *
     * @param warnShare the policy's lowest share that raises a level
     */
    public void fullTaken(Snapshot s, Forecast f, Decision d, double warnShare) {
        boolean wasCalm = calm;
        long previousGap = fullEveryMillis;
        long usageBefore = usageAtFull;
        long moveBefore = moveBytes;
        calm = false;
        fullEveryMillis = FULL_EVERY_MILLIS;
        if (s == null) {
            return;
        }
        fullMillis = s.epochMillis();
        CgroupMemory cgroup = s.cgroup();
        if (s.watchesProcess() || cgroup.usageBytes() < 0 || s.limitBytes() <= 0 || !(warnShare > 0)) {
            return;
        }
        if (d == null || d.level() != Level.OK || d.changed() || !d.actions().isEmpty()) {
            return;
        }
        if (f != null && f.confidence() >= CALM_CONFIDENCE
                && (f.hasEstimate() || !Double.isNaN(f.secondsToHeapCeiling()))) {
            return;
        }
        long limit = s.limitBytes();
        moveBytes = Math.max(MIN_MOVE_BYTES, (long) (MOVE_SHARE * limit));
        double ceiling = warnShare * limit;
        if (cgroup.highBytes() > 0) {
            // Under memory.high the kernel throttles and reclaims: the pressure signals must see it.
            ceiling = Math.min(ceiling, cgroup.highBytes());
        }
        ceilingBytes = (long) ceiling - moveBytes;
        usageAtFull = cgroup.usageBytes();
        calm = usageAtFull < ceilingBytes;
        // Usage within a move of the last full tick's: the timer called this one, not usage. A drift
        // that slow (less than a move a gap) gains nothing from fresher full ticks: a move calls one.
        if (calm && wasCalm && moveBefore == moveBytes && Math.abs(usageAtFull - usageBefore) < moveBytes) {
            fullEveryMillis = Math.min(CALM_FULL_EVERY_MILLIS, 2 * previousGap);
        }
    }
}
