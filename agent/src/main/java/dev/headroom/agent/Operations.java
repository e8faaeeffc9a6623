package dev.headroom.agent;

import dev.headroom.act.ClassHistogram;
import dev.headroom.act.EvidenceStatus;
import dev.headroom.act.HeapDumpResult;
import dev.headroom.act.HeapDumper;
import dev.headroom.act.Relief;
import dev.headroom.act.ReliefResult;
import dev.headroom.publish.jmx.HeadroomOperations;
import dev.headroom.report.Bytes;

import java.util.function.Supplier;

/** What a person can do through the MBean, carried out by the same executors the agent uses. */
final class Operations implements HeadroomOperations {

    private final HeapDumper dumper;
    private final ClassHistogram histogram;
    private final Relief relief;
    private final Supplier<String> report;

    Operations(HeapDumper dumper, ClassHistogram histogram, Relief relief, Supplier<String> report) {
        this.dumper = dumper;
        this.histogram = histogram;
        this.relief = relief;
        this.report = report;
    }

    @Override
    public String dumpHeap(boolean live) {
        // The MBean's dumpHeap(live) decides liveness per call; the dumper's own setting is the default.
        HeapDumpResult r = dumper.dump(live);
        return r.status() == EvidenceStatus.DONE
                ? r.path() + " (" + Bytes.human(r.bytes()) + " in " + r.millis() + " ms)"
                : r.status().name().toLowerCase() + ": " + r.reason();
    }

    @Override
    public String classHistogram() {
        ClassHistogram.Result r = histogram.take(false);
        if (r.status() != EvidenceStatus.DONE) {
            return r.status().name().toLowerCase() + ": " + r.reason();
        }
        StringBuilder sb = new StringBuilder("written to " + r.path() + "\n");
        for (ClassHistogram.Row row : r.top()) {
            sb.append(String.format("%4d %12d %14d  %s%n", row.rank(), row.instances(), row.bytes(), row.className()));
        }
        return sb.toString();
    }

    @Override
    public String report() {
        return report.get();
    }

    @Override
    public String trimNativeHeap() {
        ReliefResult r = relief.trimNativeHeap();
        return (r.done() ? "done: " : "not done: ") + r.detail();
    }
}
