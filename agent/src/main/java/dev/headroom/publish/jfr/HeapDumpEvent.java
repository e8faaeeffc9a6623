package dev.headroom.publish.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A heap dump the agent wrote as evidence. */
@Name("dev.headroom.HeapDump")
@Label("Heap Dump Written")
@Category({"Headroom"})
@Description("Headroom wrote a heap dump before the container's OOM kill")
@StackTrace(false)
final class HeapDumpEvent extends jdk.jfr.Event {

    @Label("Path")
    String path;

    @Label("Size")
    @DataAmount(DataAmount.BYTES)
    long bytes;

    @Label("Write Time")
    @Description("How long writing the dump took (the application was paused for most of it)")
    @Timespan(Timespan.NANOSECONDS)
    long writeDuration;

    @Label("Live Objects Only")
    boolean live;
}
