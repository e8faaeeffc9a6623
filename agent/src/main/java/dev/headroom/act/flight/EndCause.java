package dev.headroom.act.flight;

/**
 * What ended the previous run, as far as the kernel's counters tell: the flight file holds the OOM-kill
 * count its run last saw (see {@code OomKillCounter}), and the next start reads the same counter again.
 * A run that ended abruptly (SIGKILL: no shutdown hook ran) while the count rose was OOM-killed; while it
 * stayed, something else killed it (kubectl delete past its grace period, a liveness probe's kill, kill -9).
 */
public enum EndCause {
    /** It marked its flight file ended: a normal exit. */
    EXIT("exit"),
    /** Ended abruptly, and the same cgroup's OOM-kill count rose since the run last wrote. */
    OOM_KILL("oomKill"),
    /** Ended abruptly, and the count did not change: a SIGKILL from elsewhere. */
    OTHER_KILL("otherKill"),
    /** Still running (another JVM writing the same file), or nothing to compare. */
    UNKNOWN("unknown");

    private final String word;

    EndCause(String word) {
        this.word = word;
    }

    /** The word the {@code previousRun} event carries as {@code endedBy}. */
    public String word() {
        return word;
    }

    /**
     * @param previous  what the flight file said
     * @param file      the counter file this run reads, {@code null} when none
     * @param cgroupId  its directory's inode number now
     * @param countNow  its count now, {@code -1} when unreadable
     */
    public static EndCause of(PreviousRun previous, String file, long cgroupId, long countNow) {
        if (!previous.found() || previous.reason() != null) {
            return UNKNOWN;
        }
        if (!previous.endedAbruptly()) {
            return previous.ended() ? EXIT : UNKNOWN;
        }
        boolean sameCounter = file != null && file.equals(previous.oomKillFile()) && cgroupId >= 0
                && cgroupId == previous.oomKillCgroupId();
        if (!sameCounter || countNow < 0 || previous.oomKills() < 0 || countNow < previous.oomKills()) {
            // A new cgroup (a restarted container's own cgroup, counters from zero), or unknown counts.
            return UNKNOWN;
        }
        return countNow > previous.oomKills() ? OOM_KILL : OTHER_KILL;
    }
}
