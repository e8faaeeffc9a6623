package dev.headroom.act.flight;

import dev.headroom.act.Level;

/**
 * When the flight file is rewritten. Every tick while the level is above OK or has just changed:
 * then the last words matter most. While all is well, only when the file would say something new:
 * the working set moved by {@code moveShare} of the limit since the last rewrite, or
 * {@code quietMillis} passed.
 *
 * <p>A rewrite (create, write, rename over the old file; on ext4 the rename also starts the new
 * file's writeback) was the largest part of the agent's steady CPU (docs/performance.md). While
 * nothing moves, the file already says what a rewrite would, and every tick's sample still joins
 * the history the next rewrite carries. Pure: time is the caller's.
 */
public final class RewriteCadence {

    /** Defaults: at least once a minute while quiet, or on a move of 1 % of the limit. */
    public static final long QUIET_MILLIS = 60_000;
    public static final double MOVE_SHARE = 0.01;

    private final long quietMillis;
    private final double moveShare;
    private long lastMillis = Long.MIN_VALUE;
    private long lastWorkingSet = -1;

    public RewriteCadence(long quietMillis, double moveShare) {
        this.quietMillis = quietMillis;
        this.moveShare = moveShare;
    }

    public static RewriteCadence defaults() {
        return new RewriteCadence(QUIET_MILLIS, MOVE_SHARE);
    }

    /**
     * Whether this tick rewrites the file; when it does, the tick counts as the last rewrite.
     *
     * @param workingSet bytes, {@code -1} when unknown
     * @param limit      bytes, {@code <= 0} when unknown
     */
    public boolean due(long nowMillis, Level level, boolean levelChanged, long workingSet, long limit) {
        boolean due = lastMillis == Long.MIN_VALUE || level != Level.OK || levelChanged
                || nowMillis - lastMillis >= quietMillis || nowMillis < lastMillis
                || moved(workingSet, limit);
        if (due) {
            lastMillis = nowMillis;
            lastWorkingSet = workingSet;
        }
        return due;
    }

    private boolean moved(long workingSet, long limit) {
        if (workingSet < 0 || lastWorkingSet < 0) {
            return (workingSet < 0) != (lastWorkingSet < 0);
        }
        // Without a limit there is no scale to judge a move by (a working set changes by some
        // bytes every tick): the quiet interval alone decides.
        return limit > 0 && Math.abs(workingSet - lastWorkingSet) >= moveShare * limit;
    }
}
