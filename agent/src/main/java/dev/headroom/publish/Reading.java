package dev.headroom.publish;

import dev.headroom.act.Level;
import dev.headroom.forecast.Forecast;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.MeasuredBudget;
import dev.headroom.sense.Snapshot;

/**
 * The latest tick's result, handed to the publishers (Micrometer gauges, the JMX MBean, JFR) as
 * one immutable value, so a reader on another thread never sees a half-updated state.
 *
 * @param dumpsTaken heap dumps written by this agent so far
 * @param budget     the latest measured budget, {@code null} until the service has settled
 */
public record Reading(Snapshot snapshot, Breakdown breakdown, Forecast forecast, Level level, int dumpsTaken,
                      MeasuredBudget budget) {

    /** A reading before any measured budget. */
    public Reading(Snapshot snapshot, Breakdown breakdown, Forecast forecast, Level level, int dumpsTaken) {
        this(snapshot, breakdown, forecast, level, dumpsTaken, null);
    }
}
