package dev.headroom.report.html;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.headroom.reconcile.Part;
import dev.headroom.reconcile.PartCatalogue;
import dev.headroom.reconcile.SizingPeaks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an event log (JSON Lines) or a flight file (one JSON object, {@code "event": "flight"}) into a
 * {@link Run}. Lenient by design: the log may have been cut by a SIGKILL, written by an older agent,
 * or edited by hand. Unknown events and fields are ignored; a line that is not a JSON object with a
 * parseable {@code time} is skipped and counted, never fatal.
 */
final class RunReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RunReader() {
    }

    /**
     * @param runNumber which run of an appended log to read, 1-based; 0 for the last one
     * @throws IOException when the file cannot be read
     */
    static Run read(Path path, int runNumber) throws IOException {
        String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        JsonNode flight = flightFile(path);
        if (flight != null) {
            return fromFlight(name, flight);
        }
        Accumulator run = new Accumulator();
        int current = 1;
        boolean any = false;
        int malformed = 0;
        try (BufferedReader in = lenientReader(path)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode e = parse(line);
                long t = e == null ? Long.MIN_VALUE : time(e);
                if (t == Long.MIN_VALUE) {
                    malformed++;
                    continue;
                }
                String event = e.path("event").asText("");
                if (event.equals("start") && any) {
                    // The log is opened for appending: a second start is a new run of the application.
                    current++;
                    if (runNumber == 0) {
                        run = new Accumulator();
                    }
                }
                any = true;
                if (runNumber == 0 || runNumber == current) {
                    run.accept(event, t, e);
                }
            }
        }
        return run.finish(name, "event log", current, runNumber == 0 ? current : runNumber, malformed);
    }

    /** The flight file's object, or {@code null} when this is not one (an event log). */
    private static JsonNode flightFile(Path path) throws IOException {
        String first = null;
        try (BufferedReader in = lenientReader(path)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    first = line;
                    break;
                }
            }
        }
        if (first == null) {
            return null;
        }
        JsonNode node = parse(first);
        if (node == null && first.trim().startsWith("{")) {
            // Perhaps pretty-printed: the whole file is one object.
            try {
                node = JSON.readTree(path.toFile());
            } catch (JsonProcessingException e) {
                return null;
            }
        }
        return node != null && "flight".equals(node.path("event").asText()) ? node : null;
    }

    /**
     * UTF-8 with bad bytes read as U+FFFD. Files.newBufferedReader throws MalformedInputException instead, and a log
     * cut by SIGKILL in the middle of a multi-byte character then gave no page at all (found by RunReaderFuzzTest);
     * now only the damaged line is malformed.
     */
    private static BufferedReader lenientReader(Path path) throws IOException {
        return new BufferedReader(new InputStreamReader(Files.newInputStream(path), StandardCharsets.UTF_8));
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * Times outside 1970..9999 are no agent's (it writes the clock's now). Taken as they were, a damaged time such as
     * 9223372036854775807 overflowed the chart's time arithmetic (found by RunReaderFuzzTest); it is malformed.
     */
    private static final long LATEST_MILLIS = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    static long plausibleTime(long millis) {
        return millis >= 0 && millis <= LATEST_MILLIS ? millis : Long.MIN_VALUE;
    }

    private static long time(JsonNode e) {
        JsonNode t = e.path("time");
        if (t.isNumber()) {
            return plausibleTime(t.asLong());
        }
        try {
            return plausibleTime(Instant.parse(t.asText()).toEpochMilli());
        } catch (DateTimeParseException | ArithmeticException ex) {
            // ArithmeticException: Instant.parse takes years up to +1000000000, epoch milliseconds end in
            // year 292278994 (found by RunReaderFuzzTest): such a time is as malformed as no time.
            return Long.MIN_VALUE;
        }
    }

    /** A size field; -1 when absent, null or not a number. */
    static long bytes(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isNumber() ? v.asLong() : -1;
    }

    private static Run fromFlight(String name, JsonNode f) {
        Accumulator run = new Accumulator();
        run.start = f;
        Map<String, JsonNode> breakdown = new LinkedHashMap<>();
        for (JsonNode p : f.path("breakdown")) {
            breakdown.put(p.path("id").asText(), p);
            run.info(p);
        }
        long fileTime = time(f);
        JsonNode history = f.path("history");
        if (history.isArray() && history.size() > 0) {
            for (JsonNode h : history) {
                long t = h.path("t").isNumber() ? plausibleTime(h.path("t").asLong()) : Long.MIN_VALUE;
                if (t == Long.MIN_VALUE || !h.path("ws").isNumber()) {
                    run.malformed++;
                    continue;
                }
                int i = run.timeline.add(t, h.path("ws").asLong(), bytes(h, "limit"), bytes(h, "high"),
                        Timeline.UNKNOWN);
                List<Part> sample = new ArrayList<>();
                var fields = h.path("parts").fields();
                while (fields.hasNext()) {
                    var p = fields.next();
                    if (p.getValue().isNumber()) {
                        run.timeline.part(p.getKey(), i, p.getValue().asLong());
                        run.infoFor(p.getKey());
                        sample.add(new Part(p.getKey(), PartCatalogue.label(p.getKey()), "", p.getValue().asLong(), "", ""));
                    }
                }
                // The flight file's history carries parts only: no max heap, no level after GC.
                run.peaks.add(t, h.path("ws").asLong(), bytes(h, "limit"), -1, -1, -1, sample);
                run.consider(i, h);
            }
        } else if (f.path("workingSetBytes").isNumber() && fileTime != Long.MIN_VALUE) {
            run.snapshot(fileTime, f);
        }
        run.last = f;
        boolean ended = f.path("ended").asBoolean(false);
        if (ended) {
            run.stopped = true;
            run.stopReason = f.path("endReason").asText("");
            run.stopMillis = fileTime != Long.MIN_VALUE ? fileTime
                    : run.timeline.size() > 0 ? run.timeline.time(run.timeline.size() - 1) : 0;
        }
        int malformed = run.malformed;
        return run.finish(name, "flight file", 1, 1, malformed);
    }

    /** The state of one run while its lines are read. */
    private static final class Accumulator {
        final Timeline timeline = new Timeline();
        final Map<String, PartInfo> parts = new LinkedHashMap<>();
        final List<Marker> markers = new ArrayList<>();
        final List<JsonNode> evidence = new ArrayList<>();
        final List<JsonNode> problems = new ArrayList<>();
        JsonNode start = MissingNode.getInstance();
        JsonNode worst = MissingNode.getInstance();
        double worstScore = Double.NEGATIVE_INFINITY;
        JsonNode last = MissingNode.getInstance();
        JsonNode budget = MissingNode.getInstance();
        JsonNode measuredBudget = MissingNode.getInstance();
        final SizingPeaks peaks = new SizingPeaks();
        boolean stopped;
        String stopReason = "";
        long stopMillis;
        long lastEventMillis = Long.MIN_VALUE;
        int malformed;

        void accept(String event, long t, JsonNode e) {
            lastEventMillis = Math.max(lastEventMillis, t);
            switch (event) {
                case "start" -> start = e;
                case "snapshot" -> snapshot(t, e);
                case "budget" -> {
                    // Older agents wrote one budget, the start-up check's, without a basis.
                    if (e.path("basis").asText("start").equals("measured")) {
                        measuredBudget = e;
                    } else {
                        budget = e;
                    }
                }
                case "warning", "critical" -> markers.add(new Marker(t, event,
                        event.equals("warning") ? "warning" : "CRITICAL", alert(e)));
                case "recovered" -> markers.add(new Marker(t, event, "recovered",
                        "working set back to " + Units.bytes(bytes(e, "workingSetBytes")) + " of "
                                + Units.bytes(bytes(e, "limitBytes"))));
                case "heapDump" -> {
                    evidence.add(e);
                    markers.add(new Marker(t, event, "heap dump", "heap dump written: " + e.path("path").asText("?")
                            + " (" + Units.bytes(bytes(e, "bytes")) + " in " + e.path("millis").asLong(0) + " ms"
                            + (e.path("live").asBoolean(false) ? ", live objects only" : "") + ")"));
                }
                case "heapDumpSkipped", "heapDumpFailed" -> {
                    evidence.add(e);
                    markers.add(new Marker(t, event, event.equals("heapDumpSkipped") ? "dump skipped" : "dump failed",
                            (event.equals("heapDumpSkipped") ? "heap dump skipped: " : "heap dump failed: ")
                                    + e.path("reason").asText("no reason given")));
                }
                case "histogram" -> {
                    evidence.add(e);
                    markers.add(new Marker(t, event, "histogram", "class histogram written: "
                            + e.path("path").asText("?")));
                }
                case "relief" -> {
                    evidence.add(e);
                    markers.add(new Marker(t, event, "relief: " + e.path("action").asText("?"),
                            "relief " + e.path("action").asText("?")
                                    + (e.path("done").asBoolean(false) ? " done" : " not done")
                                    + (e.path("detail").asText("").isEmpty() ? "" : ": " + e.path("detail").asText())));
                }
                case "problem" -> {
                    problems.add(e);
                    markers.add(new Marker(t, event, "problem", e.path("source").asText("agent") + ": "
                            + e.path("message").asText("")));
                }
                case "previousRun" -> markers.add(new Marker(t, event, "previous run",
                        "the previous run left a flight file: " + previousRun(e)));
                case "stop" -> {
                    stopped = true;
                    stopReason = e.path("reason").asText("");
                    stopMillis = t;
                }
                default -> {
                    // Unknown events are someone else's: ignore them.
                }
            }
        }

        void snapshot(long t, JsonNode e) {
            if (!e.path("workingSetBytes").isNumber()) {
                malformed++;
                return;
            }
            int i = timeline.add(t, e.path("workingSetBytes").asLong(), bytes(e, "limitBytes"),
                    bytes(e.path("cgroup"), "highBytes"), level(e.path("level").asText("")));
            List<Part> sample = new ArrayList<>();
            for (JsonNode p : e.path("breakdown")) {
                String id = p.path("id").asText("");
                if (!id.isEmpty() && p.path("bytes").isNumber()) {
                    timeline.part(id, i, p.path("bytes").asLong());
                    info(p);
                    sample.add(new Part(id, p.path("label").asText(PartCatalogue.label(id)), "", p.path("bytes").asLong(),
                            "", ""));
                }
            }
            JsonNode jvm = e.path("jvm");
            // The start-up budget's max heap is the MaxHeapSize flag; the snapshot's is the MXBean's, a
            // survivor space smaller under the serial and parallel collectors.
            long heapMax = bytes(budget, "maxHeapBytes");
            if (heapMax <= 0) {
                heapMax = bytes(jvm, "heapMaxBytes");
            }
            peaks.add(t, e.path("workingSetBytes").asLong(), bytes(e, "limitBytes"), heapMax, bytes(jvm, "heapAfterGcBytes"),
                    (int) bytes(jvm, "threads"), sample);
            consider(i, e);
            last = e;
        }

        void consider(int i, JsonNode e) {
            long limit = timeline.limit(i);
            double score = limit > 0 ? (double) timeline.workingSet(i) / limit : timeline.workingSet(i) / 1e18;
            if (score > worstScore) {
                worstScore = score;
                worst = e;
            }
        }

        void info(JsonNode p) {
            String id = p.path("id").asText("");
            if (id.isEmpty()) {
                return;
            }
            PartInfo old = parts.get(id);
            parts.put(id, new PartInfo(id,
                    p.path("label").asText(old == null ? id : old.label()),
                    p.path("group").asText(old == null ? guessGroup(id) : old.group()),
                    p.path("source").asText(old == null ? "" : old.source()),
                    p.path("cause").asText(old == null ? "" : old.cause())));
        }

        void infoFor(String id) {
            parts.putIfAbsent(id, new PartInfo(id, id, guessGroup(id), "", ""));
        }

        Run finish(String name, String kind, int runs, int runNumber, int malformedLines) {
            long end;
            if (stopped) {
                end = stopMillis;
                markers.add(new Marker(end, "endClean", "clean exit",
                        "the agent stopped" + (stopReason.isEmpty() ? "" : " (" + stopReason + ")")
                                + ": the JVM exited cleanly"));
            } else {
                end = timeline.size() > 0 ? timeline.time(timeline.size() - 1)
                        : lastEventMillis != Long.MIN_VALUE ? lastEventMillis : 0;
                markers.add(new Marker(end, "endAbrupt", "ended abruptly (SIGKILL?)",
                        "the log ends without a stop event: the JVM was killed (SIGKILL, as the kernel's OOM "
                                + "killer sends) or the machine went away"));
            }
            markers.sort((a, b) -> Long.compare(a.epochMillis(), b.epochMillis()));
            return new Run(name, kind, start, timeline, parts, worst, last, budget, measuredBudget, peaks.budget(),
                    List.copyOf(markers),
                    List.copyOf(evidence), List.copyOf(problems), stopped, stopReason, end, runs, runNumber,
                    malformedLines);
        }
    }

    private static String alert(JsonNode e) {
        StringBuilder s = new StringBuilder();
        s.append("working set ").append(Units.bytes(bytes(e, "workingSetBytes")));
        long limit = bytes(e, "limitBytes");
        if (limit > 0) {
            s.append(" of ").append(Units.bytes(limit)).append(" (")
                    .append(Units.percent((double) bytes(e, "workingSetBytes") / limit)).append(')');
        }
        if (e.path("secondsToLimit").isNumber()) {
            s.append("; limit in ").append(Units.duration(e.path("secondsToLimit").asDouble()));
            if (e.path("confidence").isNumber()) {
                s.append(" (confidence ").append(Units.percent(e.path("confidence").asDouble())).append(')');
            }
        }
        List<String> growing = new ArrayList<>();
        for (JsonNode g : e.path("growing")) {
            growing.add(g.path("label").asText(g.path("id").asText("?")) + " "
                    + (g.path("bytesPerSecond").asDouble() >= 0 ? "+" : "")
                    + Units.rate(g.path("bytesPerSecond").asDouble()));
        }
        if (!growing.isEmpty()) {
            s.append("; growing: ").append(String.join(", ", growing));
        }
        List<String> reasons = new ArrayList<>();
        for (JsonNode r : e.path("reasons")) {
            reasons.add(r.asText());
        }
        if (!reasons.isEmpty()) {
            s.append("; ").append(String.join("; ", reasons));
        }
        return s.toString();
    }

    private static String previousRun(JsonNode e) {
        List<String> bits = new ArrayList<>();
        var fields = e.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            if (f.getKey().equals("time") || f.getKey().equals("event") || f.getValue().isContainerNode()) {
                continue;
            }
            bits.add(f.getKey() + "=" + f.getValue().asText());
        }
        return String.join(", ", bits);
    }

    private static byte level(String level) {
        return switch (level) {
            case "OK" -> Timeline.OK;
            case "WARNING" -> Timeline.WARNING;
            case "CRITICAL" -> Timeline.CRITICAL;
            default -> Timeline.UNKNOWN;
        };
    }

    /** For a flight file's history, whose parts carry only ids: the group a reconciler would give. */
    static String guessGroup(String id) {
        return dev.headroom.reconcile.PartCatalogue.group(id);
    }
}
