package dev.headroom.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.headroom.act.ClassHistogram;
import dev.headroom.act.CommandHook;
import dev.headroom.act.Decision;
import dev.headroom.act.EvidenceStatus;
import dev.headroom.act.HeapDumpResult;
import dev.headroom.act.HeapDumper;
import dev.headroom.act.Level;
import dev.headroom.act.Policy;
import dev.headroom.act.NmtEvidence;
import dev.headroom.act.Relief;
import dev.headroom.act.ReliefResult;
import dev.headroom.config.Options;
import dev.headroom.forecast.Forecast;
import dev.headroom.forecast.Thrashing;
import dev.headroom.forecast.Trend;
import dev.headroom.publish.Console;
import dev.headroom.publish.EventLog;
import dev.headroom.publish.Events;
import dev.headroom.publish.Reading;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.report.Bytes;
import dev.headroom.sense.Snapshot;

import dev.headroom.io.IsolatedWriter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Carries out what the policy decided, in the order that leaves the best evidence: the warning
 * first (it costs nothing), then the heap dump (the evidence that matters most and needs the most
 * time), then the cheaper evidence beside it, then opt-in relief, then the hook. Every outcome,
 * failures included, becomes an event; a person reading stderr gets one line per warning and per
 * dump. Nothing here throws: each executor returns a result with a reason.
 */
final class Responder {

    /** Where events go: the event log, and the JFR and hook listeners that want the same facts. */
    interface Sink {
        void event(long epochMillis, String event, EventLog.Body body);
    }

    /** Listens for the moments JFR records. */
    interface Moments {
        void alert(Reading reading, String reasons);

        void heapDump(HeapDumpResult result, boolean live);
    }

    private final Options options;
    private final Console console;
    private final Sink sink;
    /**
     * Where every look into the dump directory runs, but the heap dump itself: a hung file system
     * there holds that thread, never the tick (issue 12).
     */
    private final IsolatedWriter evidenceWork;
    /**
     * Where the dump's check runs: a thread of its own, so that a histogram of a large heap still
     * being taken on the evidence thread does not keep the dump waiting.
     */
    private final IsolatedWriter dumpChecks;
    private final HeapDumper dumper;
    private final ClassHistogram histogram;
    private final NmtEvidence nmt;
    private final Relief relief;
    private final CommandHook hook;
    private final Moments moments;
    private volatile String lastDumpPath;
    private int dumpsWritten;

    Responder(Options options, Console console, Sink sink, IsolatedWriter evidenceWork, IsolatedWriter dumpChecks,
              HeapDumper dumper, ClassHistogram histogram, NmtEvidence nmt, Relief relief, CommandHook hook,
              Moments moments) {
        this.options = options;
        this.console = console;
        this.sink = sink;
        this.evidenceWork = evidenceWork;
        this.dumpChecks = dumpChecks;
        this.dumper = dumper;
        this.histogram = histogram;
        this.nmt = nmt;
        this.relief = relief;
        this.hook = hook;
        this.moments = moments;
    }

    /** The path of the last heap dump written, or {@code null}. */
    String lastDumpPath() {
        return lastDumpPath;
    }

    int dumpsWritten() {
        return dumpsWritten;
    }

    void act(Snapshot s, Breakdown b, Forecast f, Decision d) {
        long now = s.epochMillis();
        if (d.due(Decision.Action.WARN)) {
            String event = d.level() == Level.CRITICAL ? "critical" : "warning";
            EventLog.Body body = json -> alert(json, s, f, d);
            sink.event(now, event, body);
            console.say(d.level() + ": " + String.join("; ", d.reasons()));
            moments.alert(new Reading(s, b, f, d.level(), dumpsWritten), String.join("; ", d.reasons()));
            runHook(now, event, body);
        }
        if (d.recovered()) {
            sink.event(now, "recovered", json -> {
                json.writeNumberField("workingSetBytes", s.workingSetBytes());
                Events.bytes(json, "unreclaimableBytes", s.unreclaimableBytes());
                Events.limit(json, s);
            });
            console.say("recovered: " + Policy.UNRECLAIMABLE + " " + Bytes.human(s.unreclaimableBytes()) + " of "
                    + Bytes.human(s.limitBytes()) + " (working set " + Bytes.human(s.workingSetBytes()) + ")");
        }
        notices(now, s, f);
        if (d.due(Decision.Action.DUMP_HEAP)) {
            if (options.evidence().heapDump()) {
                heapDump(now, d, f);
            } else {
                sink.event(now, "heapDumpSkipped", json -> json.writeStringField("reason",
                        "heap dumps are off (heapDump=false)"));
            }
        }
        // Also when the dump that was due could not be had (no room, a read-only dumpDir): the histogram
        // is small and has a private place of its own (EvidenceDirectory.prepareSmall), and is then
        // the only evidence of what filled the heap (issue 15).
        // Both on the evidence thread: each is a diagnostic command (at a safepoint, as from any thread)
        // and then a file in the dump directory. Their events come when they are done.
        if (options.evidence().histogram() && (d.due(Decision.Action.HISTOGRAM) || d.due(Decision.Action.DUMP_HEAP))) {
            if (!evidenceWork.offer(() -> histogram(now))) {
                sink.event(now, "histogram", json -> {
                    json.writeStringField("status", EvidenceStatus.SKIPPED.name());
                    json.writeStringField("path", null);
                    json.writeStringField("reason", busy());
                });
            }
        }
        if (d.due(Decision.Action.NMT_SNAPSHOT) && nmt.enabled()) {
            if (!evidenceWork.offer(() -> nmtSnapshot(now, nmt.write()))) {
                nmtSnapshot(now, new NmtEvidence.Result(EvidenceStatus.SKIPPED, null, null, busy()));
            }
        }
        if (d.changed() && d.level() == Level.CRITICAL) {
            relieve(now);
        }
    }

    /**
     * States that are news but not alarms: the page cache thrashing (started, ended) and, once a
     * run, a heap whose max does not fit beside the rest. Neither raises the level.
     */
    private void notices(long now, Snapshot s, Forecast f) {
        Thrashing t = f.thrashing();
        if (t.active() != thrashing) {
            thrashing = t.active();
            sink.event(now, "thrashing", json -> {
                json.writeBooleanField("active", t.active());
                if (Double.isFinite(t.refaultBytesPerSecond())) {
                    json.writeNumberField("refaultBytesPerSecond", Math.round(t.refaultBytesPerSecond()));
                } else {
                    json.writeNullField("refaultBytesPerSecond");
                }
                Events.bytes(json, "pageCacheRoomBytes", t.pageCacheRoomBytes());
                Events.bytes(json, "unreclaimableBytes", s.unreclaimableBytes());
                Events.limit(json, s);
            });
            console.say(t.active()
                    ? "thrashing: files are read back at " + Bytes.human((long) t.refaultBytesPerSecond())
                            + "/s after eviction; the limit leaves " + Bytes.human(t.pageCacheRoomBytes())
                            + " of page cache (slow, not a kill)"
                    : "thrashing ended");
        }
        if (!configurationRiskSaid && f.ceilingsExceedLimit() && s.jvm() != null && s.jvm().heapMax() > 0) {
            configurationRiskSaid = true;
            long heapMax = s.jvm().heapMax();
            sink.event(now, "configurationRisk", json -> {
                json.writeNumberField("heapMaxBytes", heapMax);
                json.writeNumberField("besideHeapBytes", f.ceilingsBytes() - heapMax);
                json.writeNumberField("ceilingsBytes", f.ceilingsBytes());
                Events.limit(json, s);
            });
            console.say("note: max heap " + Bytes.human(heapMax) + " and the " + Bytes.human(f.ceilingsBytes() - heapMax)
                    + " of " + Policy.UNRECLAIMABLE + " beside it come to " + Bytes.human(f.ceilingsBytes())
                    + ", more than the " + Bytes.human(s.limitBytes())
                    + " limit: if the heap grows to its max, the container is killed without any leak");
        }
    }

    private boolean thrashing;
    private boolean configurationRiskSaid;

    private void nmtSnapshot(long now, NmtEvidence.Result r) {
        sink.event(now, "nmtSnapshot", json -> {
            json.writeStringField("status", r.status().name());
            json.writeStringField("summaryPath", r.summaryPath() == null ? null : r.summaryPath().toString());
            json.writeStringField("diffPath", r.diffPath() == null ? null : r.diffPath().toString());
            json.writeStringField("reason", r.reason());
        });
    }

    private String busy() {
        long stuck = evidenceWork.stuckMillis();
        return "the evidence thread is still busy with earlier evidence" + (stuck > 0 ? " (for " + stuck + " ms:"
                + " a hung file system?)" : "");
    }

    /**
     * Why the dump cannot start, asked on the check's thread and waited for
     * {@link #DUMP_CHECK_WAIT_MILLIS} at most; not asked at all while that thread is stuck already.
     */
    private String unusable() {
        long stuck = dumpChecks.stuckMillis();
        if (stuck >= DUMP_CHECK_WAIT_MILLIS) {
            return "the dump directory has not answered for " + stuck + " ms (a hung file system?)";
        }
        try {
            return dumpChecks.call(dumper::unusable).get(DUMP_CHECK_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return "the dump directory did not answer within " + DUMP_CHECK_WAIT_MILLIS + " ms (a hung file system?)";
        } catch (ExecutionException e) {
            return "cannot check the dump directory: " + e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * A look at the dump directory takes well under a millisecond; the dump itself is not started
     * where that did not come back, since it would stop the whole JVM at a safepoint in the same
     * file system.
     */
    static final long DUMP_CHECK_WAIT_MILLIS = 2_000;

    private boolean heapDump(long now, Decision d, Forecast f) {
        String unusable = unusable();
        if (unusable != null) {
            sink.event(now, "heapDumpSkipped", json -> json.writeStringField("reason", unusable));
            console.say("heap dump skipped: " + unusable);
            return false;
        }
        console.say("writing a heap dump (expected " + String.format(Locale.ROOT, "%.1f", d.expectedDumpSeconds())
                + " s) before the limit is reached");
        HeapDumpResult r = dumper.dump(options.evidence().dumpLive(),
                f != null && f.hasEstimate() ? f.secondsToLimit() : Double.NaN);
        moments.heapDump(r, options.evidence().dumpLive());
        boolean compressed = r.path() != null && r.path().getFileName().toString().endsWith(".gz");
        switch (r.status()) {
            case DONE -> {
                lastDumpPath = r.path().toString();
                dumpsWritten++;
                sink.event(now, "heapDump", json -> {
                    json.writeStringField("path", r.path().toString());
                    json.writeNumberField("bytes", r.bytes());
                    json.writeNumberField("millis", r.millis());
                    json.writeBooleanField("live", options.evidence().dumpLive());
                    json.writeBooleanField("compressed", compressed);
                });
                console.say("heap dump written: " + r.path() + " (" + Bytes.human(r.bytes())
                        + (compressed ? " gzip-compressed" : "") + " in " + r.millis() + " ms)");
                return true;
            }
            case SKIPPED -> {
                sink.event(now, "heapDumpSkipped", json -> json.writeStringField("reason", r.reason()));
                console.say("heap dump skipped: " + r.reason());
            }
            case FAILED -> {
                sink.event(now, "heapDumpFailed", json -> json.writeStringField("reason", r.reason()));
                console.say("heap dump failed: " + r.reason());
            }
            default -> {
            }
        }
        return false;
    }

    private void histogram(long now) {
        ClassHistogram.Result r = histogram.take(options.evidence().histogramLive());
        sink.event(now, "histogram", json -> {
            json.writeStringField("status", r.status().name());
            json.writeStringField("path", r.path() == null ? null : r.path().toString());
            if (r.status() == EvidenceStatus.DONE) {
                json.writeNumberField("millis", r.millis());
                json.writeNumberField("totalBytes", r.totalBytes());
                json.writeArrayFieldStart("topClasses");
                for (ClassHistogram.Row row : r.top()) {
                    json.writeStartObject();
                    json.writeStringField("className", row.className());
                    json.writeNumberField("instances", row.instances());
                    json.writeNumberField("bytes", row.bytes());
                    json.writeEndObject();
                }
                json.writeEndArray();
            } else {
                json.writeStringField("reason", r.reason());
            }
        });
    }

    private void relieve(long now) {
        Options.Relief o = options.relief();
        List<ReliefResult> results = new ArrayList<>();
        if (o.trimNativeHeap()) {
            results.add(relief.trimNativeHeap());
        }
        if (o.gc()) {
            results.add(relief.requestGc());
        }
        if (o.softMaxHeapBytes() > 0) {
            results.add(relief.lowerSoftMaxHeapSize(o.softMaxHeapBytes()));
        }
        for (ReliefResult r : results) {
            sink.event(now, "relief", json -> {
                json.writeStringField("action", r.action());
                json.writeBooleanField("done", r.done());
                json.writeStringField("detail", r.detail());
                Events.bytes(json, "rssBeforeBytes", r.rssBeforeBytes());
                Events.bytes(json, "rssAfterBytes", r.rssAfterBytes());
            });
        }
    }

    private void runHook(long now, String event, EventLog.Body body) {
        if (hook == null) {
            return;
        }
        try {
            CommandHook.Started started = hook.run(EventLog.render(now, event, body));
            if (!started.started()) {
                sink.event(now, "hookFailed", json -> json.writeStringField("reason", started.reason()));
            }
        } catch (IOException | RuntimeException e) {
            sink.event(now, "hookFailed", json -> json.writeStringField("reason", e.toString()));
        }
    }

    /** The body of {@code warning} and {@code critical}. */
    static void alert(JsonGenerator json, Snapshot s, Forecast f, Decision d) throws IOException {
        json.writeNumberField("workingSetBytes", s.workingSetBytes());
        Events.bytes(json, "unreclaimableBytes", s.unreclaimableBytes());
        Events.limit(json, s);
        if (f.hasEstimate()) {
            json.writeNumberField("secondsToLimit", round(f.secondsToLimit()));
        } else {
            json.writeNullField("secondsToLimit");
        }
        json.writeNumberField("confidence", round(f.confidence()));
        json.writeNumberField("expectedDumpSeconds", round(d.expectedDumpSeconds()));
        json.writeArrayFieldStart("growing");
        for (Trend t : f.growing()) {
            json.writeStartObject();
            json.writeStringField("id", t.partId());
            json.writeStringField("label", t.label());
            json.writeNumberField("bytes", t.bytes());
            json.writeNumberField("bytesPerSecond", Math.round(t.bytesPerSecond()));
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("reasons");
        for (String r : d.reasons()) {
            json.writeString(r);
        }
        json.writeEndArray();
    }

    static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : 0;
    }
}
