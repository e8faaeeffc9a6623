package dev.headroom.act;

import java.util.List;
import java.util.Set;

/**
 * What the {@link Policy} decided in one tick.
 *
 * @param epochMillis         the tick (the snapshot's time)
 * @param level               the level now
 * @param previous            the level before this tick; {@link #changed()} when they differ, so an
 *                            event is emitted once per change
 * @param reasons             why, in plain words, e.g. "working set 460 MiB (page cache excluded) is
 *                            90% of the 512 MiB limit"; empty when all is well
 * @param expectedDumpSeconds how long a heap dump of the heap in use would take now; {@code NaN}
 *                            when the heap is unknown
 * @param actions             what is due this tick
 */
public record Decision(
        long epochMillis,
        Level level,
        Level previous,
        List<String> reasons,
        double expectedDumpSeconds,
        Set<Action> actions) {

    /** Things to do this tick. */
    public enum Action {
        /** Emit a warning event (at {@link Decision#level()}): once per escalation. */
        WARN,
        /** Write a heap dump: there is time for one to complete before the forecast kill. */
        DUMP_HEAP,
        /** Write a class histogram: cheaper evidence when there is no time (or no allowance) for a dump. */
        HISTOGRAM,
        /** Read and record an NMT summary (when NMT is on). */
        NMT_SNAPSHOT
    }

    public Decision {
        reasons = List.copyOf(reasons);
        actions = Set.copyOf(actions);
    }

    public boolean changed() {
        return level != previous;
    }

    /** The episode is over: the level went back to OK. */
    public boolean recovered() {
        return previous != Level.OK && level == Level.OK;
    }

    public boolean due(Action action) {
        return actions.contains(action);
    }
}
