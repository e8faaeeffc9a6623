package dev.headroom.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headroom.reconcile.HeapCeiling;
import dev.headroom.reconcile.MeasuredBudget;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The measured budget of each run in an event log or flight file, for {@code recommend} and the
 * report. Two measurements of a run are merged, each peak the larger: the agent's own
 * {@code budget} event ({@code basis: "measured"}, made from every tick, so it sees peaks between
 * two snapshot events), and the samples in the file, measured the same way ({@link
 * dev.headroom.reconcile.SizingPeaks}), which also cover a run killed before its last event.
 */
public final class RunSizing {

    private RunSizing() {
    }

    /** One budget per run in the file, in order; runs without samples or budget are left out. */
    public static List<MeasuredBudget> read(Path file) throws IOException {
        Run first = RunReader.read(file, 1);
        List<MeasuredBudget> out = new ArrayList<>(first.runs());
        add(out, first);
        for (int n = 2; n <= first.runs(); n++) {
            add(out, RunReader.read(file, n));
        }
        return out;
    }

    private static void add(List<MeasuredBudget> out, Run run) {
        MeasuredBudget b = of(run);
        if (b != null) {
            out.add(b);
        }
    }

    /** The run's measured budget, or {@code null} when it has neither samples nor a measured budget event. */
    static MeasuredBudget of(Run run) {
        MeasuredBudget fromEvent = fromEvent(run.measuredBudget());
        if (fromEvent == null) {
            return run.sizing();
        }
        return fromEvent.merge(run.sizing());
    }

    /** A {@code budget} event with {@code basis: "measured"} back into its record; {@code null} when it is not one. */
    static MeasuredBudget fromEvent(JsonNode e) {
        if (!e.isObject() || !e.path("basis").asText("").equals("measured") || !e.path("nonHeapBytes").isNumber()) {
            return null;
        }
        List<MeasuredBudget.PeakPart> parts = new ArrayList<>();
        for (JsonNode p : e.path("parts")) {
            if (p.path("id").isTextual() && p.path("bytes").isNumber()) {
                parts.add(new MeasuredBudget.PeakPart(p.path("id").asText(), p.path("name").asText(p.path("id").asText()),
                        p.path("bytes").asLong(), millis(p.path("peakTime"))));
            }
        }
        long limit = RunReader.bytes(e, "limitBytes");
        long nonHeap = e.path("nonHeapBytes").asLong();
        return new MeasuredBudget(millis(e.path("from")), millis(e.path("time")), e.path("samples").asLong(0), limit,
                RunReader.bytes(e, "maxHeapBytes"), RunReader.bytes(e, "heapCommittedPeakBytes"),
                RunReader.bytes(e, "heapAfterGcPeakBytes"), RunReader.bytes(e, "workingSetPeakBytes"), -1, nonHeap,
                millis(e.path("nonHeapPeakTime")), (int) RunReader.bytes(e, "threadsPeak"), parts,
                new HeapCeiling(limit, nonHeap, HeapCeiling.MEASURED));
    }

    private static long millis(JsonNode t) {
        try {
            return t.isTextual() ? Instant.parse(t.asText()).toEpochMilli() : -1;
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
