package dev.headroom.report.html;

import dev.headroom.reconcile.MeasuredBudget;
import dev.headroom.reconcile.Recommendation;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On runs recorded from the sample apps under the agent in a 512 MiB v1 cgroup (500 ms interval, a
 * snapshot a second, budgetWarmup=5s): GcSawtooth 150 200 15 with MaxRAMPercentage=80, with and
 * without NMT; WorkingSetStep 120 4 8 20 with -Xmx256m; NativeGrowth 30 10 with -Xmx128m.
 */
class RunSizingTest {

    private static final long MIB = 1024 * 1024;

    static Path recorded(String name) throws Exception {
        return Path.of(RunSizingTest.class.getResource("/sizing/" + name).toURI());
    }

    private static MeasuredBudget only(String name) throws Exception {
        List<MeasuredBudget> runs = RunSizing.read(recorded(name));
        assertEquals(1, runs.size(), name);
        return runs.get(0);
    }

    @Test
    void aHealthySawtoothIsSizedByItsMaxHeapAndItsSmallNonHeap() throws Exception {
        MeasuredBudget b = only("gc-sawtooth.jsonl");

        assertEquals(429_916_160L, b.maxHeapBytes(), "MaxHeapSize: 80 % of 512 MiB, aligned");
        assertTrue(b.heapCommittedPeakBytes() > 250 * MIB && b.heapCommittedPeakBytes() <= b.maxHeapBytes(),
                "the sawtooth commits most of the heap: " + b.heapCommittedPeakBytes());
        assertTrue(b.heapAfterGcPeakBytes() >= 150 * MIB * 8 / 10 && b.heapAfterGcPeakBytes() < 200 * MIB,
                "150 MiB live: " + b.heapAfterGcPeakBytes());
        assertTrue(b.peak("codeCache") > 0 && b.peak("metaspace") > 0);
        assertEquals(-1, b.peak("heap"), "the heap is not a non-heap part");
        assertTrue(b.fits(), b.summary());
        assertEquals(b.limitBytes() - b.nonHeapPeakBytes(), b.ceiling().bytes());
    }

    @Test
    void theAgentsOwnBudgetEventAndTheSamplesAreMergedPeakByPeak() throws Exception {
        Path log = recorded("gc-sawtooth.jsonl");
        Run run = RunReader.read(log, 0);
        MeasuredBudget fromEvent = RunSizing.fromEvent(run.measuredBudget());
        MeasuredBudget fromSamples = run.sizing();
        assertNotNull(fromEvent, "the log has the agent's final measured budget");
        assertTrue(run.measuredBudget().path("final").asBoolean());
        MeasuredBudget merged = RunSizing.of(run);

        assertEquals(Math.max(fromEvent.workingSetPeakBytes(), fromSamples.workingSetPeakBytes()),
                merged.workingSetPeakBytes());
        assertTrue(merged.nonHeapPeakBytes() >= fromEvent.nonHeapPeakBytes());
        assertTrue(merged.nonHeapPeakBytes() >= fromSamples.nonHeapPeakBytes());
        // Every tick went into the event, a snapshot a second into the samples.
        assertTrue(fromEvent.samples() >= fromSamples.samples(), fromEvent.samples() + " vs " + fromSamples.samples());
    }

    @Test
    void withNmtTheJvmsOwnNativeMemoryIsMeasuredPartByPart() throws Exception {
        MeasuredBudget b = only("gc-sawtooth-nmt.jsonl");
        assertTrue(b.peak("nmt.code") > 0 && b.peak("nmt.compiler") > 0 && b.peak("nmt.gc") > 0, b.parts().toString());
        assertEquals(-1, b.peak("nmt.javaHeap"));
        // Without NMT the compiler's arenas hide in the untouched heap: the NMT run sees more non-heap.
        assertTrue(b.nonHeapPeakBytes() > only("gc-sawtooth.jsonl").nonHeapPeakBytes());
    }

    @Test
    void aStepOfDirectBuffersIsCappedAboveItsPeak() throws Exception {
        MeasuredBudget b = only("direct-step.jsonl");
        // 20 MiB baseline + the 120 MiB step, touched.
        assertTrue(b.peak("directBuffers") >= 140 * MIB, "direct peak " + b.peak("directBuffers"));
        Recommendation.Result r = Recommendation.of(List.of(b), Recommendation.DEFAULT_MARGIN);
        String cap = r.setting("-XX:MaxDirectMemorySize").value();
        long capMib = Long.parseLong(cap.substring(cap.indexOf('=') + 1, cap.length() - 1));
        assertTrue(capMib * MIB >= b.peak("directBuffers") / 0.8, cap);
        assertTrue(r.limitBytes() * 0.8 >= r.needBytes(), "the need is at most 80 % of the limit");
        assertTrue(r.limitBytes() > b.workingSetPeakBytes() / 0.85, "the peak stays below the warning share");
    }

    @Test
    void zlibsNativeGrowthPointsAtMallocArenas() throws Exception {
        MeasuredBudget b = only("native-growth.jsonl");
        assertTrue(b.peak("nativeUntracked") > 64 * MIB, "30 Deflaters/s for 10 s: " + b.peak("nativeUntracked"));
        Recommendation.Result r = Recommendation.of(List.of(b), Recommendation.DEFAULT_MARGIN);
        assertNotNull(r.setting("MALLOC_ARENA_MAX"), r.settings().toString());
        assertNull(Recommendation.of(List.of(only("gc-sawtooth.jsonl")), 0.2).setting("MALLOC_ARENA_MAX"));
    }

    @Test
    void aFlightFileIsSizedFromItsHistory() throws Exception {
        MeasuredBudget b = only("gc-sawtooth-flight.json");
        assertTrue(b.samples() > 10, "the flight file's history: " + b.samples());
        assertEquals(-1, b.maxHeapBytes(), "a flight file does not carry the max heap");
        assertTrue(b.heapCommittedPeakBytes() > 250 * MIB);
        Recommendation.Result r = Recommendation.of(List.of(b), 0.2);
        assertTrue(r.setting("-Xmx").evidence().startsWith("no max heap known"), r.setting("-Xmx").evidence());
    }

    @Test
    void theReportSaysOneCeilingInOneWay() throws Exception {
        Path log = recorded("gc-sawtooth.jsonl");
        String html = HtmlReport.render(log, 0).html();
        MeasuredBudget b = RunSizing.of(RunReader.read(log, 0));
        String words = b.ceiling().words();

        assertFalse(html.contains("real ceiling"), "the forecast's ceiling is not shown under the budget's name");
        assertTrue(html.contains("<div class=\"note\">" + Html.escape(words) + "</div>"), "the Max heap figure");
        assertTrue(html.contains(Html.escape(Character.toUpperCase(words.charAt(0)) + words.substring(1)) + ".</p>"),
                "the measured budget section");
        assertTrue(html.contains("id=\"recommendation\""));
        assertTrue(html.contains("memory: &quot;") || html.contains("memory: \""), "the Kubernetes snippet");
        String startWords = Files.readAllLines(log).stream().filter(l -> l.contains("\"basis\":\"start\"")).findFirst()
                .orElseThrow();
        assertTrue(startWords.contains("\"heapCeiling\":\"heap ceiling "), startWords);
    }
}
