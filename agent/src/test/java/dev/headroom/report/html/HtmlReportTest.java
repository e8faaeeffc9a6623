package dev.headroom.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HtmlReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path work;

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(HtmlReportTest.class.getResource("/report/" + name).toURI());
    }

    /** The fixture's lines that parse, read here independently of the report's reader. */
    static List<JsonNode> events(Path log, String event) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            try {
                JsonNode n = JSON.readTree(line);
                if (event.equals(n.path("event").asText())) {
                    out.add(n);
                }
            } catch (IOException malformed) {
                // counted by the test that is about it
            }
        }
        return out;
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
    }

    @Test
    void oomRunDrawsEveryPartTheLimitTheForecastAndTheMarkers() throws Exception {
        HtmlReport.Page page = HtmlReport.render(fixture("oom-run.jsonl"), 0);
        String html = page.html();
        for (String id : List.of("heap", "directBuffers", "metaspace", "codeCache", "threadStacks", "nativeUntracked",
                "mappedFiles", "activePageCache", "kernel", "unexplained", "committedNotResident")) {
            assertTrue(html.contains("id=\"series-" + id + "\""), "a band for " + id);
        }
        assertTrue(html.contains("id=\"series-working-set\""));
        assertTrue(html.contains("id=\"limit-line\""));
        assertTrue(html.contains("limit 512.0 MiB"));
        assertTrue(html.contains("id=\"forecast-projection\""));
        for (String marker : List.of("marker-warning", "marker-critical", "marker-heap-dump", "marker-histogram",
                "marker-end-abrupt")) {
            assertTrue(html.contains("class=\"marker " + marker + "\""), marker + " on the chart");
        }
        assertFalse(html.contains("marker-end-clean"));
        // One verdict: the chart's end marker says what the title says (issue 15 item 3).
        assertTrue(html.contains("\">OOM-killed</text>"), "the end marker's label");
        assertFalse(html.contains("ended abruptly"));
    }

    @Test
    void oomRunIsCalledAnOomKillWithTheTimeOfTheLastSampleAndWhatGrew() throws Exception {
        Path log = fixture("oom-run.jsonl");
        List<JsonNode> snapshots = events(log, "snapshot");
        String last = snapshots.get(snapshots.size() - 1).path("time").asText().substring(11, 19);
        HtmlReport.Page page = HtmlReport.render(log, 0);
        assertTrue(page.verdict().startsWith("OOM-killed at " + last + " after "), page.verdict());
        assertTrue(page.verdict().endsWith("Java heap (committed) grew 30.0 MiB/s"), page.verdict());
        assertTrue(page.html().contains("<h1 id=\"verdict\">" + page.verdict() + "</h1>"));
    }

    @Test
    void worstMomentTableIsTheSnapshotWithTheHighestShareOfTheLimit() throws Exception {
        Path log = fixture("oom-run.jsonl");
        JsonNode worst = null;
        for (JsonNode s : events(log, "snapshot")) {
            if (worst == null || s.path("workingSetBytes").asDouble() / s.path("limitBytes").asDouble()
                    > worst.path("workingSetBytes").asDouble() / worst.path("limitBytes").asDouble()) {
                worst = s;
            }
        }
        String html = HtmlReport.render(log, 0).html();
        int table = html.indexOf("id=\"worst-moment-table\"");
        assertTrue(table > 0, "the worst-moment table");
        String section = html.substring(table, html.indexOf("</section>", table));
        assertTrue(section.contains(worst.path("time").asText().substring(11, 23)), "at the worst snapshot's time");
        assertTrue(section.contains(mib(worst.path("workingSetBytes").asLong())), "its working set");
        for (JsonNode part : worst.path("breakdown")) {
            String row = "id=\"row-" + part.path("id").asText() + "\"";
            assertTrue(section.contains(row), row);
            int at = section.indexOf(row);
            String rowHtml = section.substring(at, section.indexOf("</tr>", at));
            long bytes = part.path("bytes").asLong();
            if (Math.abs(bytes) >= MIB) {
                assertTrue(rowHtml.contains(mib(bytes)), part.path("id").asText() + " is " + mib(bytes) + ": " + rowHtml);
            }
        }
        assertTrue(html.contains("peak " + mib(worst.path("workingSetBytes").asLong())));
    }

    @Test
    void causesAreTheBreakdownsOwnWords() throws Exception {
        Path log = fixture("oom-run.jsonl");
        String html = HtmlReport.render(log, 0).html();
        JsonNode last = events(log, "snapshot").get(0);
        int causes = 0;
        for (JsonNode part : last.path("breakdown")) {
            String cause = part.path("cause").asText("");
            if (!cause.isEmpty()) {
                assertTrue(html.contains("<dd class=\"cause\">" + Html.escape(cause) + "</dd>"), cause);
                causes++;
            }
        }
        assertTrue(causes >= 5, "the fixture has causes to show");
    }

    @Test
    void budgetAndEvidenceAreShown() throws Exception {
        Path log = fixture("oom-run.jsonl");
        String html = HtmlReport.render(log, 0).html();
        JsonNode budget = events(log, "budget").get(0);
        assertTrue(html.contains("the configuration does not fit"));
        assertTrue(html.contains(Html.escape(budget.path("summary").asText())));
        assertTrue(html.contains("<code>" + budget.path("suggestedFlags").get(0).asText() + "</code>"));
        JsonNode dump = events(log, "heapDump").get(0);
        assertTrue(html.contains("<code>" + dump.path("path").asText() + "</code>"));
        JsonNode histogram = events(log, "histogram").get(0);
        assertTrue(html.contains(Html.escape(histogram.path("topClasses").get(1).path("className").asText())));
    }

    @Test
    void malformedLineIsSkippedCountedAndShownInAFootnote() throws Exception {
        Path log = fixture("oom-run.jsonl");
        int malformed = 0;
        for (String line : Files.readAllLines(log)) {
            try {
                JSON.readTree(line);
            } catch (IOException e) {
                malformed++;
            }
        }
        assertEquals(1, malformed, "the fixture holds one line cut short");
        HtmlReport.Page page = HtmlReport.render(log, 0);
        assertEquals(1, page.malformedLines());
        assertEquals(events(log, "snapshot").size(), page.samples());
        assertTrue(page.html().contains("<p id=\"malformed\" class=\"malformed\">1 line was not a readable event"));
    }

    @Test
    void unknownEventsAreIgnored() throws Exception {
        Path log = fixture("oom-run.jsonl");
        assertFalse(events(log, "jfrRecording").isEmpty(), "the fixture has an event the report does not know");
        assertFalse(HtmlReport.render(log, 0).html().contains("jfrRecording"));
    }

    @Test
    void runWithAStopEventIsACleanExit() throws Exception {
        Path log = fixture("clean-run.jsonl");
        String stop = events(log, "stop").get(0).path("time").asText().substring(11, 19);
        HtmlReport.Page page = HtmlReport.render(log, 0);
        assertTrue(page.verdict().startsWith("Clean exit at " + stop), page.verdict());
        assertTrue(page.html().contains("class=\"marker marker-end-clean\""));
        assertTrue(page.html().contains("shutdown hook"));
        assertFalse(page.html().contains("class=\"marker marker-end-abrupt\""));
        assertFalse(page.html().contains("ended abruptly"));
        assertTrue(page.html().contains("the configuration fits the limit"));
    }

    @Test
    void flightFileDrawsItsHistoryAndEndsAbruptlyWhenNotEnded() throws Exception {
        Path flight = fixture("flight.json");
        JsonNode f = JSON.readTree(flight.toFile());
        assertFalse(f.path("ended").asBoolean());
        HtmlReport.Page page = HtmlReport.render(flight, 0);
        assertEquals(f.path("history").size(), page.samples());
        String html = page.html();
        assertTrue(html.contains("id=\"series-heap\""));
        assertTrue(html.contains("id=\"limit-line\""));
        assertTrue(html.contains("class=\"marker marker-end-abrupt\""));
        // The end marker says what the title says, whichever it is.
        String end = page.verdict().startsWith("OOM-killed") ? "OOM-killed" : "ended abruptly (SIGKILL?)";
        assertTrue(html.contains("\">" + end + "</text>"), page.verdict());
        assertTrue(html.contains("id=\"worst-moment-table\""));
        assertTrue(html.contains("flight file"));
        JsonNode last = f.path("history").get(f.path("history").size() - 1);
        assertTrue(html.contains("peak " + mib(last.path("ws").asLong())), "the last entry is the highest");
        // Labels and causes come from the flight file's own breakdown.
        assertTrue(html.contains(">Java heap (committed)<"));
        assertTrue(html.contains(Html.escape(f.path("breakdown").get(0).path("cause").asText())));
    }

    @Test
    void flightFileThatEndedSaysCleanExit() throws Exception {
        JsonNode f = JSON.readTree(fixture("flight.json").toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) f).put("ended", true).put("endReason", "shutdown");
        Path copy = work.resolve("flight.json");
        Files.writeString(copy, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(f));
        HtmlReport.Page page = HtmlReport.render(copy, 0);
        assertTrue(page.verdict().startsWith("Clean exit"), page.verdict());
        assertTrue(page.html().contains("marker-end-clean"));
    }

    @Test
    void appendedLogShowsTheLastRunUnlessAskedForAnother() throws Exception {
        Path both = work.resolve("both.jsonl");
        Files.writeString(both, Files.readString(fixture("oom-run.jsonl")) + Files.readString(fixture("clean-run.jsonl")));
        HtmlReport.Page last = HtmlReport.render(both, 0);
        assertEquals(2, last.runs());
        assertEquals(2, last.runNumber());
        assertTrue(last.verdict().startsWith("Clean exit"), last.verdict());
        HtmlReport.Page first = HtmlReport.render(both, 1);
        assertTrue(first.verdict().startsWith("OOM-killed"), first.verdict());
        assertEquals(events(fixture("oom-run.jsonl"), "snapshot").size(), first.samples());
    }

    @Test
    void textFromTheLogIsEscaped() throws Exception {
        Path log = work.resolve("evil.jsonl");
        Files.writeString(log, Files.readString(fixture("clean-run.jsonl"))
                + "{\"time\":\"2026-11-22T15:02:30Z\",\"event\":\"problem\",\"source\":\"nmt\","
                + "\"message\":\"<script>alert(1)</script>\"}\n");
        String html = HtmlReport.render(log, 0).html();
        assertFalse(html.contains("<script>alert(1)</script>"));
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    @Test
    void pageIsSelfContained() throws Exception {
        String html = HtmlReport.render(fixture("oom-run.jsonl"), 0).html();
        assertFalse(html.contains("<script src"), "no external script");
        assertFalse(html.contains("<link"), "no external style or font");
        assertFalse(html.replace("http://www.w3.org/2000/svg", "").contains("http://"),
                "no address but the SVG namespace");
        assertFalse(html.contains("https://"));
        assertTrue(html.contains("<pre id=\"js-errors\" hidden></pre>"));
    }

    @Test
    void aDayOfSamplesMakesABoundedPageThatKeepsItsPeak() throws Exception {
        Path log = work.resolve("day.jsonl");
        long t0 = Instant.parse("2026-11-21T00:00:00Z").toEpochMilli();
        int spike = 51_234;
        long limit = 2048 * MIB;
        long peak = 0;
        try (BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            out.write("{\"time\":\"" + Instant.ofEpochMilli(t0) + "\",\"event\":\"start\",\"limitBytes\":" + limit + "}\n");
            for (int i = 0; i < 86_400; i++) {
                // A daily wave with noise, and one sample where a burst took 700 MiB for a second.
                long heap = 600 * MIB + (long) (200 * MIB * Math.sin(i / 86_400.0 * 2 * Math.PI)) + (i * 7919L % 13) * MIB;
                long direct = 200 * MIB + (i == spike ? 700 * MIB : 0);
                long other = 100 * MIB;
                long ws = heap + direct + other;
                peak = Math.max(peak, ws);
                out.write("{\"time\":\"" + Instant.ofEpochMilli(t0 + i * 1000L) + "\",\"event\":\"snapshot\","
                        + "\"workingSetBytes\":" + ws + ",\"limitBytes\":" + limit + ",\"breakdown\":["
                        + "{\"id\":\"heap\",\"label\":\"Java heap (committed)\",\"group\":\"jvm\",\"bytes\":" + heap + "},"
                        + "{\"id\":\"directBuffers\",\"label\":\"Direct buffers\",\"group\":\"jvm\",\"bytes\":" + direct + "},"
                        + "{\"id\":\"kernel\",\"label\":\"Kernel memory\",\"group\":\"kernel\",\"bytes\":" + other + "}],"
                        + "\"level\":\"OK\"}\n");
            }
        }
        HtmlReport.Page page = HtmlReport.render(log, 0);
        assertEquals(86_400, page.samples());
        assertTrue(page.html().length() < 2_000_000, "page of " + page.html().length() + " characters");
        String gib = String.format(Locale.ROOT, "%.1f GiB", peak / (double) (1024 * MIB));
        assertTrue(page.html().contains("peak " + gib), "the spike's value, " + gib + ", is on the page");
        assertTrue(page.html().contains("at " + Instant.ofEpochMilli(t0 + spike * 1000L).toString().substring(11, 19)));
    }

    // ---- regressions found by RunReaderFuzzTest

    private static final String START = "{\"time\": \"2026-11-22T14:02:00Z\", \"event\": \"start\"}\n";
    private static final String SNAPSHOT = "{\"time\": \"2026-11-22T14:02:01Z\", \"event\": \"snapshot\", "
            + "\"workingSetBytes\": 1048576, \"limitBytes\": 4194304}\n";

    @Test
    void aLogCutInsideAMultiByteCharacterStillMakesAPage() throws Exception {
        // Files.newBufferedReader threw MalformedInputException: no page at all for a log cut by SIGKILL mid-character.
        byte[] cut = (START + SNAPSHOT + "{\"time\": \"2026-11-22T14:02:02Z\", \"note\": \"caf\u00e9")
                .getBytes(StandardCharsets.UTF_8);
        Path log = Files.write(work.resolve("cut.jsonl"), java.util.Arrays.copyOf(cut, cut.length - 1));

        HtmlReport.Page page = HtmlReport.render(log, 0);

        assertEquals(1, page.samples());
        assertEquals(1, page.malformedLines());
    }

    @Test
    void timesPastWhatEpochMillisecondsHoldAreMalformedLines() throws Exception {
        // Instant.parse accepts year +1000000000; toEpochMilli then threw ArithmeticException out of the report.
        Path log = Files.writeString(work.resolve("far.jsonl"), START + SNAPSHOT
                + "{\"time\": \"+1000000000-12-31T23:59:59Z\", \"event\": \"snapshot\", \"workingSetBytes\": 1}\n"
                + "{\"time\": 9223372036854775807, \"event\": \"snapshot\", \"workingSetBytes\": 1}\n");

        HtmlReport.Page page = HtmlReport.render(log, 0);

        assertEquals(1, page.samples());
        assertEquals(2, page.malformedLines());
    }

    @Test
    void aFlightFileStartedInTheFarFutureStillMakesAPage() throws Exception {
        Path flight = Files.writeString(work.resolve("flight.json"), "{\"time\": \"2026-11-22T14:02:11Z\", "
                + "\"event\": \"flight\", \"pid\": 1, \"startTime\": \"+1000000000-12-31T23:59:59Z\", "
                + "\"ended\": false, \"workingSetBytes\": 1048576, \"limitBytes\": 4194304}\n");

        assertEquals(1, HtmlReport.render(flight, 0).samples());
    }

    @Test
    void anAbsurdWorkingSetDrawsAFewGridLinesNotMillions() throws Exception {
        // The y step stopped at 256 GiB: 8 EiB drew 34 million grid lines and ran out of memory.
        Path log = Files.writeString(work.resolve("huge.jsonl"), START
                + "{\"time\": \"2026-11-22T14:02:01Z\", \"event\": \"snapshot\", "
                + "\"workingSetBytes\": 9223372036854775807, \"limitBytes\": 9223372036854775807}\n");

        String html = HtmlReport.render(log, 0).html();

        assertTrue(html.length() < 2_000_000, "page of " + html.length() + " chars");
        assertTrue(Long.MAX_VALUE / Chart.niceStep(Long.MAX_VALUE) < 8);
    }
}
