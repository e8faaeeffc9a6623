package dev.headroom.publish.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** The agent's level rose (or fell back): the same moment as the event log's warning. */
@Name("dev.headroom.Warning")
@Label("Container Memory Warning")
@Category({"Headroom"})
@Description("The container is heading for its OOM kill, or is close to its limit")
@StackTrace(false)
final class WarningEvent extends jdk.jfr.Event {

    @Label("Level")
    @Description("OK, WARNING or CRITICAL")
    String level;

    @Label("Reasons")
    @Description("Why, in plain words")
    String reasons;

    @Label("Time to Limit")
    @Description("Forecast time until the working set reaches the limit; N/A when it is not heading there")
    @Timespan(Timespan.SECONDS)
    long secondsToLimit;

    @Label("Working Set")
    @DataAmount(DataAmount.BYTES)
    long workingSet;

    @Label("Limit")
    @Description("-1 when no limit is set")
    @DataAmount(DataAmount.BYTES)
    long limit;
}
