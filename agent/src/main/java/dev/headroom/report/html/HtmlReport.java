package dev.headroom.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headroom.reconcile.MeasuredBudget;
import dev.headroom.reconcile.Recommendation;
import dev.headroom.report.RecommendationText;
import dev.headroom.reconcile.PartCatalogue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One self-contained HTML page about one run: what happened (the verdict), the chart, the
 * reconciliation at the worst moment, the budget check, what each part means, and the evidence the
 * agent left. No network: inline CSS, inline SVG, a little inline script for the hover read-out
 * (the page is complete without it).
 */
public final class HtmlReport {

    /** At most this many rows in the event timeline; a day of alerts would otherwise be the page. */
    static final int TIMELINE_ROWS = 250;

    /**
     * A rendered page and what the command line says about it.
     *
     * @param verdict        the page's title, e.g. "OOM-killed at 14:02:11 after 10.4 s; ..."
     * @param samples        snapshots read
     * @param malformedLines lines skipped
     * @param runs           runs in the log; {@code runNumber} is the one shown
     */
    public record Page(String html, String verdict, int samples, int malformedLines, int runs, int runNumber) {
    }

    private HtmlReport() {
    }

    /**
     * Reads an event log or flight file and renders its page.
     *
     * @param runNumber which run of an appended event log, 1-based; 0 for the last
     * @throws IOException when the file cannot be read (its content never makes this throw)
     */
    public static Page render(Path input, int runNumber) throws IOException {
        return render(RunReader.read(input, runNumber), Ending.Processes.LOCAL);
    }

    /** @param processes where to look whether the log's JVM still runs */
    static Page render(Run read, Ending.Processes processes) {
        Ending ending = Ending.of(read, new Chart(read), processes);
        // The end marker says what the title says (RunReader marks every end without a stop "abrupt").
        Run run = ending.relabel(read);
        Chart chart = new Chart(run);
        String verdict = verdict(run, chart, ending);
        return new Page(render(run, chart, verdict, ending), verdict, run.timeline().size(), run.malformedLines(),
                run.runs(), run.runNumber());
    }

    static String render(Run run) {
        return render(run, Ending.Processes.LOCAL).html();
    }

    private static String render(Run run, Chart chart, String verdict, Ending ending) {
        StringBuilder h = new StringBuilder(512 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(Html.escape("Headroom: " + verdict)).append("</title>\n")
                // Installed first, so an error anywhere in the page's script is shown, not lost.
                .append("<script>window.onerror=function(m,s,l){var d=document.getElementById('js-errors');"
                        + "if(d){d.textContent+=m+' (line '+l+')\\n';d.hidden=false;}};</script>\n")
                .append("<style>").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<pre id=\"js-errors\" hidden></pre>\n");
        header(h, run, chart, verdict, ending);
        h.append("<section class=\"chart-box\">\n").append(chart.svg());
        h.append("<div id=\"tip\" hidden></div>\n");
        legend(h, run, chart);
        h.append("</section>\n");
        worstMoment(h, run, chart);
        budget(h, run);
        meanings(h, run, chart);
        evidence(h, run);
        timeline(h, run);
        notes(h, run);
        footer(h, run);
        h.append("<script type=\"application/json\" id=\"chart-data\">").append(chart.hoverData())
                .append("</script>\n<script>").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    // ---------------------------------------------------------------- verdict

    static String verdict(Run run, Chart chart, Ending ending) {
        Timeline tl = run.timeline();
        if (tl.size() == 0) {
            return "No snapshots in " + run.source() + (run.endedCleanly() ? " (clean exit)"
                    : ending == Ending.STILL_RUNNING ? " (still running)" : "");
        }
        long start = startMillis(run);
        String after = " after " + Units.duration((run.endMillis() - start) / 1000.0);
        String at = " at " + Units.clock(run.endMillis());
        String growth = growthPhrase(run);
        if (run.endedCleanly()) {
            int worst = tl.worst();
            long limit = tl.limit(worst);
            return "Clean exit" + at + after + "; peak working set " + Units.bytes(tl.workingSet(worst))
                    + (limit > 0 ? " (" + Units.percent((double) tl.workingSet(worst) / limit) + " of the limit)" : "");
        }
        if (ending == Ending.STILL_RUNNING) {
            return "Still running at " + Units.clock(run.endMillis()) + " (the last sample), after "
                    + Units.duration((run.endMillis() - start) / 1000.0) + (growth.isEmpty() ? "" : "; " + growth);
        }
        if (ending == Ending.OOM_KILLED) {
            return "OOM-killed" + at + after + (growth.isEmpty() ? "" : "; " + growth);
        }
        return "Ended abruptly (SIGKILL?)" + at + after + (growth.isEmpty() ? "" : "; " + growth);
    }

    /**
     * The log cannot say "OOM kill": the kernel's SIGKILL leaves no time to write it. It can say the
     * working set was at the limit, the level critical, the forecast due, or the cgroup counted a kill.
     */
    static boolean likelyOomKill(Run run, Chart chart) {
        Timeline tl = run.timeline();
        int last = tl.size() - 1;
        if (last < 0 || run.endedCleanly()) {
            return false;
        }
        long limit = tl.limit(last);
        if (limit > 0 && tl.workingSet(last) >= 0.9 * limit) {
            return true;
        }
        if (tl.level(last) == Timeline.CRITICAL) {
            return true;
        }
        Chart.Projection p = chart.projection();
        if (p != null && p.meetsLimit() && p.secondsToLimit() <= 5) {
            return true;
        }
        return run.lastSnapshot().path("cgroup").path("events").path("oomKill").asLong(0) > 0;
    }

    /** "Java heap (committed) grew 30.0 MiB/s": the part that grew fastest toward the end. */
    static String growthPhrase(Run run) {
        Timeline tl = run.timeline();
        int last = tl.size() - 1;
        if (last < 1) {
            return "";
        }
        double span = (tl.time(last) - tl.time(0)) / 1000.0;
        double window = Math.min(span, Math.max(10, span / 4));
        int from = last;
        while (from > 0 && (tl.time(last) - tl.time(from - 1)) / 1000.0 <= window) {
            from--;
        }
        double dt = (tl.time(last) - tl.time(from)) / 1000.0;
        if (dt <= 0) {
            return "";
        }
        String best = null;
        double bestRate = 0;
        for (Map.Entry<String, long[]> e : tl.parts().entrySet()) {
            if (isCorrection(e.getKey(), e.getValue()[last])) {
                continue;
            }
            double rate = (e.getValue()[last] - e.getValue()[from]) / dt;
            if (rate > bestRate) {
                bestRate = rate;
                best = e.getKey();
            }
        }
        double wsRate = (tl.workingSet(last) - tl.workingSet(from)) / dt;
        // Below 1 KiB/s nothing is growing in a way a person should read about.
        if (best == null || bestRate < 1024) {
            return wsRate >= 1024 ? "working set grew " + Units.rate(wsRate) : "";
        }
        PartInfo info = run.parts().get(best);
        return (info == null ? best : info.label()) + " grew " + Units.rate(bestRate);
    }

    /**
     * A correction, not memory: "committed but not resident" and the heap not yet written (negative,
     * and rising toward zero as the JVM touches what it committed, which is another part's growth)
     * or any part below zero.
     * It can never be what grew.
     */
    private static boolean isCorrection(String id, long latest) {
        return PartCatalogue.isResidencyCorrection(id) || latest < 0;
    }

    static long startMillis(Run run) {
        long first = run.timeline().size() > 0 ? run.timeline().time(0) : run.endMillis();
        // A flight file says when the JVM started; its "time" is when it was last written.
        JsonNode t = run.start().path("startTime");
        if (t.isMissingNode() || t.isNull()) {
            t = run.start().path("time");
        }
        // Checked like every other time (RunReader.plausibleTime): "+1000000000-12-31T23:59:59Z" parses, but
        // toEpochMilli overflowed (ArithmeticException, found by RunReaderFuzzTest).
        long millis = Long.MIN_VALUE;
        if (t.isNumber()) {
            millis = RunReader.plausibleTime(t.asLong());
        } else if (t.isTextual()) {
            try {
                millis = RunReader.plausibleTime(Instant.parse(t.asText()).toEpochMilli());
            } catch (DateTimeParseException | ArithmeticException ignored) {
                // The first sample will do.
            }
        }
        return millis == Long.MIN_VALUE ? first : Math.min(first, millis);
    }

    // ---------------------------------------------------------------- header

    private static void header(StringBuilder h, Run run, Chart chart, String verdict, Ending ending) {
        Timeline tl = run.timeline();
        String kind = ending.css();
        h.append("<header class=\"verdict verdict-").append(kind).append("\">\n<h1 id=\"verdict\">")
                .append(Html.escape(verdict)).append("</h1>\n<p class=\"why\">");
        if (run.endedCleanly()) {
            h.append("The agent wrote its stop event")
                    .append(run.endReason().isEmpty() ? "" : " (" + Html.escape(run.endReason()) + ")")
                    .append(": the JVM was not killed.");
        } else if (ending == Ending.STILL_RUNNING) {
            h.append("The ").append(run.kind()).append(" has no stop event yet: process ")
                    .append(run.start().path("jvm").path("pid").asLong(run.start().path("pid").asLong(-1)))
                    .append(", which writes it, is still running (the same pid, started when this log's JVM did)."
                            + " This is the run so far.");
        } else if (tl.size() > 0) {
            int last = tl.size() - 1;
            long limit = tl.limit(last);
            h.append("The ").append(run.kind()).append(" ends at ").append(Units.clockMillis(tl.time(last)))
                    .append(" without a stop event");
            if (limit > 0) {
                h.append(", with the working set at ").append(Units.bytes(tl.workingSet(last))).append(" of its ")
                        .append(Units.bytes(limit)).append(" limit (")
                        .append(Units.percent((double) tl.workingSet(last) / limit)).append(')');
            }
            h.append(kind.equals("oom")
                    ? ". The kernel's OOM killer ends a process with SIGKILL, which leaves no time for a last word."
                    : ". Something killed the JVM (SIGKILL) or the machine went away.");
        }
        h.append("</p>\n</header>\n");

        // Key figures.
        h.append("<section class=\"figures\">\n");
        if (tl.size() > 0) {
            int worst = tl.worst();
            long limit = tl.limit(worst);
            figure(h, "Peak working set", Units.bytes(tl.workingSet(worst)),
                    (limit > 0 ? Units.percent((double) tl.workingSet(worst) / limit) + " of the limit, " : "")
                            + "at " + Units.clock(tl.time(worst)));
            figure(h, "Limit", limit > 0 ? Units.bytes(limit) : "none",
                    text(run.lastSnapshot(), "limitSource", text(run.start(), "limitSource", "")));
        }
        long heapMax = RunReader.bytes(run.budget(), "maxHeapBytes");
        if (heapMax < 0) {
            heapMax = RunReader.bytes(run.start().path("jvm"), "heapMaxBytes");
        }
        if (heapMax < 0) {
            heapMax = RunReader.bytes(run.lastSnapshot().path("jvm"), "heapMaxBytes");
        }
        if (heapMax > 0) {
            // The ceiling in the budget's own words, so this figure and the budget section below say one
            // number the one way (the forecast's "limit less everything else now" is a different quantity).
            figure(h, "Max heap (-Xmx)", Units.bytes(heapMax), ceilingWords(run));
        }
        if (chart.projection() != null) {
            figure(h, "Last forecast", chart.projection().meetsLimit()
                    ? "limit in " + Units.duration(chart.projection().secondsToLimit())
                    : "+" + Units.rate(chart.projection().growthBytesPerSecond()), chart.forecastText());
        }
        int warnings = 0;
        int criticals = 0;
        int dumps = 0;
        for (Marker m : run.markers()) {
            switch (m.kind()) {
                case "warning" -> warnings++;
                case "critical" -> criticals++;
                case "heapDump" -> dumps++;
                default -> {
                }
            }
        }
        if (!run.kind().equals("flight file")) {
            // A flight file holds the state, not the alerts: "0 warnings" would be wrong there.
            figure(h, "Alerts", warnings + " warning" + (warnings == 1 ? "" : "s") + ", " + criticals + " critical",
                    dumps + " heap dump" + (dumps == 1 ? "" : "s") + " written");
        }
        h.append("</section>\n");

        // Run facts.
        JsonNode s = run.start();
        JsonNode jvm = s.path("jvm");
        List<String[]> facts = new ArrayList<>();
        boolean sameDay = Units.date(startMillis(run)).equals(Units.date(run.endMillis()));
        facts.add(new String[] {"Run", Units.date(startMillis(run)) + " " + Units.clock(startMillis(run)) + " to "
                + (sameDay ? "" : Units.date(run.endMillis()) + " ") + Units.clock(run.endMillis()) + " UTC"});
        String pid = jvm.path("pid").isMissingNode() ? text(s, "pid", "") : jvm.path("pid").asText();
        if (!pid.isEmpty()) {
            facts.add(new String[] {"Process", "pid " + pid});
        }
        if (!jvm.path("version").asText("").isEmpty()) {
            facts.add(new String[] {"JVM", (jvm.path("vendor").asText("") + " " + jvm.path("version").asText("") + " "
                    + jvm.path("vmName").asText("")).trim()
                    + (jvm.path("nmt").asText("").isEmpty() ? "" : ", NMT " + jvm.path("nmt").asText())});
        }
        String cgroup = s.path("cgroupVersion").isNumber() ? "v" + s.path("cgroupVersion").asInt() : "";
        cgroup = (cgroup + " " + text(s, "cgroupPath", "")).trim();
        if (!cgroup.isEmpty()) {
            facts.add(new String[] {"Memory cgroup", cgroup});
        }
        if (s.path("hostMemoryBytes").isNumber()) {
            facts.add(new String[] {"Host memory", Units.bytes(s.path("hostMemoryBytes").asLong())});
        }
        if (!text(s, "agentVersion", "").isEmpty() || !text(s, "startedBy", "").isEmpty()) {
            facts.add(new String[] {"Agent", (text(s, "agentVersion", "") + " "
                    + (text(s, "startedBy", "").isEmpty() ? "" : "started by " + text(s, "startedBy", ""))).trim()});
        }
        facts.add(new String[] {"Samples", tl.size() + " from " + run.source() + " (" + run.kind()
                + (run.runs() > 1 ? ", run " + run.runNumber() + " of " + run.runs() : "") + ")"});
        h.append("<dl class=\"facts\">\n");
        for (String[] f : facts) {
            h.append("<div><dt>").append(Html.escape(f[0])).append("</dt><dd>").append(Html.escape(f[1]))
                    .append("</dd></div>\n");
        }
        h.append("</dl>\n");
    }

    private static void figure(StringBuilder h, String name, String value, String note) {
        h.append("<div class=\"figure\"><div class=\"name\">").append(Html.escape(name))
                .append("</div><div class=\"value\">").append(Html.escape(value)).append("</div><div class=\"note\">")
                .append(Html.escape(note)).append("</div></div>\n");
    }

    // ---------------------------------------------------------------- legend

    private static void legend(StringBuilder h, Run run, Chart chart) {
        h.append("<div class=\"legend\" id=\"legend\">\n");
        String group = null;
        for (Chart.Band b : chart.bands()) {
            if (!b.info().group().equals(group)) {
                if (group != null) {
                    h.append("</div>\n");
                }
                group = b.info().group();
                h.append("<div class=\"legend-group\"><span class=\"group-title\">").append(groupTitle(group))
                        .append("</span>");
            }
            h.append("<span class=\"key\"><i class=\"swatch").append(b.negative() ? " hatched" : "")
                    .append("\" style=\"background:").append(b.negative() ? "transparent" : b.colour())
                    .append("\"></i>").append(Html.escape(b.info().label())).append(" <small>")
                    .append(b.negative() ? "down to " : "up to ").append(Units.bytes(b.peak())).append("</small></span>");
        }
        if (group != null) {
            h.append("</div>\n");
        }
        h.append("<div class=\"legend-group\"><span class=\"group-title\">Lines</span>")
                .append("<span class=\"key\"><i class=\"line\" style=\"border-color:#111\"></i>working set</span>")
                .append("<span class=\"key\"><i class=\"line\" style=\"border-color:#c62828\"></i>limit</span>");
        boolean high = false;
        for (int i = 0; i < run.timeline().size() && !high; i++) {
            high = run.timeline().high(i) > 0;
        }
        if (high) {
            h.append("<span class=\"key\"><i class=\"line dashed\" style=\"border-color:#e67e22\"></i>memory.high</span>");
        }
        if (chart.projection() != null) {
            h.append("<span class=\"key\"><i class=\"line dashed\" style=\"border-color:#6a1b9a\"></i>forecast: ")
                    .append(Html.escape(chart.forecastText())).append("</span>");
        }
        h.append("</div>\n<div class=\"legend-group\"><span class=\"group-title\">Markers</span>");
        String[][] kinds = {{"warning", "warning"}, {"critical", "critical"}, {"heapDump", "heap dump"},
            {"histogram", "histogram"}, {"relief", "relief"}, {"recovered", "recovered"},
            {"endClean", "clean exit"}, {"endAbrupt", "ended abruptly"}};
        for (String[] k : kinds) {
            String title = null;
            for (Marker m : run.markers()) {
                if (m.kind().equals(k[0])) {
                    // The end's words are the verdict's ("OOM-killed"), not the kind's.
                    title = k[0].equals("endAbrupt") ? m.title() : k[1];
                }
            }
            if (title != null) {
                h.append("<span class=\"key\"><i class=\"dot\" style=\"background:").append(Chart.colour(k[0]))
                        .append("\"></i>").append(Html.escape(title)).append("</span>");
            }
        }
        h.append("</div>\n</div>\n");
    }

    /** Part id to its swatch's style: its band's colour, or the hatching of a correction. */
    private static Map<String, String> swatches(Chart chart) {
        Map<String, String> colours = new HashMap<>();
        for (Chart.Band b : chart.bands()) {
            colours.put(b.info().id(), b.negative()
                    ? "repeating-linear-gradient(45deg,#fff 0 3px,#555 3px 4.5px)" : b.colour());
        }
        return colours;
    }

    static String groupTitle(String group) {
        return switch (group) {
            case "jvm" -> "JVM";
            case "native" -> "Native";
            case "pageCache" -> "Page cache";
            case "kernel" -> "Kernel";
            case "other" -> "Other";
            default -> Html.escape(group);
        };
    }

    // ---------------------------------------------------------------- worst moment

    private static void worstMoment(StringBuilder h, Run run, Chart chart) {
        Timeline tl = run.timeline();
        int worst = tl.worst();
        if (worst < 0) {
            return;
        }
        long ws = tl.workingSet(worst);
        long limit = tl.limit(worst);
        h.append("<section id=\"worst-moment-table\">\n<h2>At the worst moment: ").append(Units.clockMillis(tl.time(worst)))
                .append(limit > 0 ? ", " + Units.percent((double) ws / limit) + " of the limit" : "").append("</h2>\n");
        h.append("<p class=\"lead\">The working set (what the kubelet and the OOM killer count: usage minus "
                + "inactive file cache) split into the parts that add up to it.</p>\n");
        Map<String, String> colours = swatches(chart);
        List<PartInfo> rows = new ArrayList<>();
        for (PartInfo p : run.parts().values()) {
            if (tl.part(p.id(), worst) != 0) {
                rows.add(p);
            }
        }
        rows.sort(Comparator.comparingLong((PartInfo p) -> -tl.part(p.id(), worst)));
        h.append("<table class=\"reconciliation\">\n<thead><tr><th>Part</th><th>Group</th><th class=\"num\">Size</th>"
                + "<th class=\"num\">Share</th><th class=\"bar-col\"></th><th>Measured by</th></tr></thead>\n<tbody>\n");
        for (PartInfo p : rows) {
            long v = tl.part(p.id(), worst);
            double share = ws > 0 ? (double) v / ws : 0;
            h.append("<tr id=\"row-").append(Html.token(p.id())).append("\"><td><i class=\"swatch\" style=\"background:")
                    .append(colours.getOrDefault(p.id(), "transparent")).append("\"></i>")
                    .append(Html.escape(p.label())).append("</td><td>").append(groupTitle(p.group()))
                    .append("</td><td class=\"num\">").append(Units.bytes(v)).append("</td><td class=\"num\">")
                    .append(Units.percent(share)).append("</td><td class=\"bar-col\"><span class=\"bar\" style=\"width:")
                    .append(Units.coord(Math.max(0, Math.min(1, share)) * 100)).append("%;background:")
                    .append(colours.getOrDefault(p.id(), "#999")).append("\"></span></td><td class=\"source\">")
                    .append(Html.escape(p.source())).append("</td></tr>\n");
        }
        h.append("</tbody>\n<tfoot><tr><th>Working set</th><td></td><td class=\"num\">").append(Units.bytes(ws))
                .append("</td><td class=\"num\">100%</td><td></td><td></td></tr>\n");
        if (limit > 0) {
            h.append("<tr><th>Limit</th><td></td><td class=\"num\">").append(Units.bytes(limit))
                    .append("</td><td></td><td></td><td class=\"source\">")
                    .append(Html.escape(text(run.worstSnapshot(), "limitSource", ""))).append("</td></tr>\n")
                    .append("<tr><th>Headroom</th><td></td><td class=\"num\">").append(Units.bytes(limit - ws))
                    .append("</td><td></td><td></td><td></td></tr>\n");
        }
        h.append("</tfoot></table>\n");

        // The raw readings behind it, for whoever wants to check the arithmetic.
        List<String> raw = new ArrayList<>();
        JsonNode c = run.worstSnapshot().path("cgroup");
        if (c.isObject()) {
            long usage = RunReader.bytes(c, "usageBytes");
            long inactive = RunReader.bytes(c, "inactiveFileBytes");
            if (usage >= 0 && inactive >= 0) {
                raw.add("cgroup usage " + Units.bytes(usage) + " minus inactive_file " + Units.bytes(inactive)
                        + " = " + Units.bytes(Math.max(0, usage - inactive)));
            }
            JsonNode ev = c.path("events");
            if (ev.isObject()) {
                raw.add("memory.events: high " + ev.path("high").asText("-") + ", max " + ev.path("max").asText("-")
                        + ", oom " + ev.path("oom").asText("-") + ", oom_kill " + ev.path("oomKill").asText("-"));
            }
            JsonNode psi = c.path("pressure");
            if (psi.isObject()) {
                raw.add("memory pressure (avg10): some " + psi.path("someAvg10").asText("-") + "%, full "
                        + psi.path("fullAvg10").asText("-") + "%");
            }
        }
        JsonNode jvm = run.worstSnapshot().path("jvm");
        if (jvm.isObject()) {
            raw.add("heap used " + Units.bytes(RunReader.bytes(jvm, "heapUsedBytes")) + ", committed "
                    + Units.bytes(RunReader.bytes(jvm, "heapCommittedBytes")) + ", max "
                    + Units.bytes(RunReader.bytes(jvm, "heapMaxBytes")) + "; " + jvm.path("threads").asText("?")
                    + " threads; " + jvm.path("gcCount").asText("?") + " GCs");
        }
        JsonNode proc = run.worstSnapshot().path("process");
        if (proc.isObject()) {
            raw.add("process RSS " + Units.bytes(RunReader.bytes(proc, "rssBytes")) + " (anon "
                    + Units.bytes(RunReader.bytes(proc, "rssAnonBytes")) + ", file "
                    + Units.bytes(RunReader.bytes(proc, "rssFileBytes")) + ", shmem "
                    + Units.bytes(RunReader.bytes(proc, "rssShmemBytes")) + ")");
        }
        if (!raw.isEmpty()) {
            h.append("<ul class=\"raw\">");
            for (String r : raw) {
                h.append("<li>").append(Html.escape(r)).append("</li>");
            }
            h.append("</ul>\n");
        }
        h.append("</section>\n");
    }

    // ---------------------------------------------------------------- budget

    /**
     * The heap ceiling as every output says it: measured when the run has a measured budget, else
     * the start-up check's expectation; empty when neither is known.
     */
    static String ceilingWords(Run run) {
        MeasuredBudget measured = RunSizing.of(run);
        if (measured != null && measured.limitBytes() > 0) {
            return measured.ceiling().words();
        }
        return text(run.budget(), "heapCeiling", "");
    }

    private static void budget(StringBuilder h, Run run) {
        JsonNode b = run.budget();
        if (b.isObject()) {
            startBudget(h, b);
        }
        MeasuredBudget measured = RunSizing.of(run);
        if (measured != null) {
            measuredBudget(h, measured);
            Recommendation.Result r = Recommendation.of(List.of(measured), Recommendation.DEFAULT_MARGIN);
            if (r != null) {
                h.append("<section id=\"recommendation\">\n<h2>Recommendation</h2>\n<p>What <code>java -jar "
                        + "headroom-agent.jar recommend</code> prints for this run (docs/sizing.md has the method):</p>\n");
                h.append("<pre class=\"recommendation\">").append(Html.escape(RecommendationText.render(r)))
                        .append("</pre>\n</section>\n");
            }
        }
    }

    private static void startBudget(StringBuilder h, JsonNode b) {
        boolean fits = b.path("fits").asBoolean(true);
        h.append("<section id=\"budget\">\n<h2>Budget check at start: <span class=\"").append(fits ? "ok" : "bad")
                .append("\">").append(fits ? "the configuration fits the limit" : "the configuration does not fit")
                .append("</span></h2>\n");
        if (!text(b, "summary", "").isEmpty()) {
            h.append("<p class=\"lead\">").append(Html.escape(text(b, "summary", ""))).append("</p>\n");
        }
        boolean worst = b.path("worstCaseNonHeapBytes").isNumber();
        h.append("<table class=\"budget\"><thead><tr><th></th><th class=\"num\">expected</th>")
                .append(worst ? "<th class=\"num\">at worst</th>" : "").append("<th>how</th></tr></thead><tbody>\n");
        for (JsonNode p : b.path("parts")) {
            h.append("<tr><td>").append(Html.escape(p.path("name").asText("?"))).append("</td><td class=\"num\">")
                    .append(Units.bytes(RunReader.bytes(p, "bytes"))).append("</td>");
            if (worst) {
                h.append("<td class=\"num\">").append(Units.bytes(RunReader.bytes(p, "worstCaseBytes"))).append("</td>");
            }
            h.append("<td class=\"source\">").append(Html.escape(p.path("estimate").isTextual()
                    ? p.path("estimate").asText() : "")).append("</td></tr>\n");
        }
        h.append("</tbody><tfoot>");
        budgetRow(h, "Max heap", b, "maxHeapBytes", null, worst);
        budgetRow(h, "Everything but the heap", b, "nonHeapBytes", "worstCaseNonHeapBytes", worst);
        budgetRow(h, "Limit", b, "limitBytes", "limitBytes", worst);
        budgetRow(h, "Heap ceiling: limit less non-heap", b, "effectiveHeapCeilingBytes", "worstCaseHeapCeilingBytes", worst);
        h.append("</tfoot></table>\n");
        if (!text(b, "heapCeiling", "").isEmpty()) {
            h.append("<p>").append(Html.escape(capitalized(text(b, "heapCeiling", "")))).append(".</p>\n");
        }
        if (b.path("suggestedFlags").size() > 0) {
            h.append("<p>Suggested flags: ");
            for (JsonNode f : b.path("suggestedFlags")) {
                h.append("<code>").append(Html.escape(f.asText())).append("</code> ");
            }
            h.append("</p>\n");
        }
        h.append("</section>\n");
    }

    private static void measuredBudget(StringBuilder h, MeasuredBudget m) {
        h.append("<section id=\"measured-budget\">\n<h2>Measured budget: <span class=\"").append(m.fits() ? "ok" : "bad")
                .append("\">").append(m.fits() ? "the max heap fits beside the measured peaks"
                        : "the max heap does not fit beside the measured peaks").append("</span></h2>\n");
        h.append("<p class=\"lead\">").append(Html.escape(m.summary())).append("</p>\n");
        h.append("<table class=\"budget\"><thead><tr><th>part</th><th class=\"num\">peak</th><th>when</th></tr></thead><tbody>\n");
        for (MeasuredBudget.PeakPart p : m.parts()) {
            h.append("<tr><td>").append(Html.escape(p.label())).append("</td><td class=\"num\">").append(Units.bytes(p.bytes()))
                    .append("</td><td class=\"source\">").append(p.peakMillis() > 0 ? Units.clock(p.peakMillis()) : "")
                    .append("</td></tr>\n");
        }
        h.append("</tbody><tfoot><tr><th>Non-heap (each part at its peak)</th><td class=\"num\">")
                .append(Units.bytes(m.nonHeapPeakBytes())).append("</td><td></td></tr>\n");
        if (m.limitBytes() > 0) {
            h.append("<tr><th>Heap ceiling: limit less non-heap (measured peak)</th><td class=\"num\">")
                    .append(Units.bytes(m.ceiling().bytes())).append("</td><td></td></tr>\n");
        }
        h.append("</tfoot></table>\n<p>").append(Html.escape(capitalized(m.ceiling().words()))).append(".</p>\n</section>\n");
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static void budgetRow(StringBuilder h, String name, JsonNode b, String field, String worstField,
                                  boolean worst) {
        if (b.path(field).isNumber()) {
            h.append("<tr><th>").append(name).append("</th><td class=\"num\">").append(Units.bytes(b.path(field).asLong()))
                    .append("</td>");
            if (worst) {
                h.append("<td class=\"num\">").append(worstField != null && b.path(worstField).isNumber()
                        ? Units.bytes(b.path(worstField).asLong()) : "").append("</td>");
            }
            h.append("<td></td></tr>\n");
        }
    }

    // ---------------------------------------------------------------- meanings

    private static void meanings(StringBuilder h, Run run, Chart chart) {
        Timeline tl = run.timeline();
        int worst = tl.worst();
        List<PartInfo> rows = new ArrayList<>();
        for (PartInfo p : run.parts().values()) {
            if (!p.cause().isEmpty()) {
                rows.add(p);
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        if (worst >= 0) {
            rows.sort(Comparator.comparingLong((PartInfo p) -> -Math.abs(tl.part(p.id(), worst))));
        }
        Map<String, String> colours = swatches(chart);
        h.append("<section id=\"meanings\">\n<h2>What each part means</h2>\n<p class=\"lead\">The likely cause and the "
                + "usual remedy, largest part first.</p>\n<dl class=\"causes\">\n");
        for (PartInfo p : rows) {
            h.append("<div><dt><i class=\"swatch\" style=\"background:").append(colours.getOrDefault(p.id(), "#ccc"))
                    .append("\"></i>").append(Html.escape(p.label()));
            if (worst >= 0) {
                h.append(" <small>").append(Units.bytes(tl.part(p.id(), worst))).append("</small>");
            }
            h.append("</dt><dd class=\"cause\">").append(Html.escape(p.cause())).append("</dd></div>\n");
        }
        h.append("</dl>\n</section>\n");
    }

    // ---------------------------------------------------------------- evidence

    private static void evidence(StringBuilder h, Run run) {
        h.append("<section id=\"evidence\">\n<h2>Evidence written</h2>\n");
        if (run.evidence().isEmpty()) {
            h.append("<p class=\"lead\">None: no heap dump, histogram or relief action is in this ")
                    .append(run.kind()).append(".</p>\n</section>\n");
            return;
        }
        h.append("<ul class=\"evidence\">\n");
        for (JsonNode e : run.evidence()) {
            String event = e.path("event").asText("");
            String time = e.path("time").asText("");
            String clock = time.length() >= 19 ? time.substring(11, 19) : time;
            h.append("<li class=\"evidence-").append(Html.token(event)).append("\"><span class=\"when\">")
                    .append(Html.escape(clock)).append("</span> ");
            switch (event) {
                case "heapDump" -> h.append("<b>Heap dump</b> <code>").append(Html.escape(text(e, "path", "?")))
                        .append("</code> ").append(Units.bytes(RunReader.bytes(e, "bytes"))).append(", written in ")
                        .append(e.path("millis").asLong(0)).append(" ms")
                        .append(e.path("live").asBoolean(false) ? ", live objects only (after a full GC)" : "")
                        .append(". Open it in Eclipse MAT or VisualVM and look at the dominator tree.");
                case "heapDumpSkipped" -> h.append("<b>Heap dump skipped</b>: ").append(Html.escape(text(e, "reason", "")));
                case "heapDumpFailed" -> h.append("<b>Heap dump failed</b>: ").append(Html.escape(text(e, "reason", "")));
                case "relief" -> h.append("<b>Relief: ").append(Html.escape(text(e, "action", "?"))).append("</b> ")
                        .append(e.path("done").asBoolean(false) ? "done" : "not done")
                        .append(text(e, "detail", "").isEmpty() ? "" : ": " + Html.escape(text(e, "detail", "")));
                case "histogram" -> {
                    h.append("<b>Class histogram</b> <code>").append(Html.escape(text(e, "path", "?")))
                            .append("</code>");
                    if (e.path("topClasses").size() > 0) {
                        h.append("\n<table class=\"histogram\"><thead><tr><th>Class</th><th class=\"num\">Instances"
                                + "</th><th class=\"num\">Size</th></tr></thead><tbody>\n");
                        int rows = 0;
                        for (JsonNode c : e.path("topClasses")) {
                            if (rows++ == 10) {
                                break;
                            }
                            h.append("<tr><td><code>").append(Html.escape(text(c, "className", "?")))
                                    .append("</code></td><td class=\"num\">").append(c.path("instances").asLong(0))
                                    .append("</td><td class=\"num\">").append(Units.bytes(RunReader.bytes(c, "bytes")))
                                    .append("</td></tr>\n");
                        }
                        h.append("</tbody></table>\n");
                    }
                }
                default -> h.append(Html.escape(event));
            }
            h.append("</li>\n");
        }
        h.append("</ul>\n</section>\n");
    }

    // ---------------------------------------------------------------- timeline, notes, footer

    private static void timeline(StringBuilder h, Run run) {
        long start = startMillis(run);
        h.append("<section id=\"timeline\">\n<h2>What happened</h2>\n<table class=\"events\"><thead><tr><th>Time (UTC)"
                + "</th><th class=\"num\">Since start</th><th>Event</th><th>Detail</th></tr></thead><tbody>\n");
        int rows = 0;
        for (Marker m : run.markers()) {
            if (rows++ == TIMELINE_ROWS) {
                break;
            }
            h.append("<tr class=\"").append(m.cssClass()).append("\"><td>").append(Units.clockMillis(m.epochMillis()))
                    .append("</td><td class=\"num\">+").append(Units.duration((m.epochMillis() - start) / 1000.0))
                    .append("</td><td><i class=\"dot\" style=\"background:").append(Chart.colour(m.kind()))
                    .append("\"></i>").append(Html.escape(m.title())).append("</td><td>")
                    .append(Html.escape(m.detail())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        if (run.markers().size() > TIMELINE_ROWS) {
            h.append("<p class=\"lead\">and ").append(run.markers().size() - TIMELINE_ROWS)
                    .append(" more events; the ").append(run.kind()).append(" holds them all.</p>\n");
        }
        h.append("</section>\n");
    }

    private static void notes(StringBuilder h, Run run) {
        List<String> notes = new ArrayList<>();
        for (JsonNode n : run.start().path("notes")) {
            notes.add(n.asText());
        }
        for (JsonNode p : run.problems()) {
            notes.add(text(p, "source", "agent") + ": " + text(p, "message", ""));
        }
        if (notes.isEmpty()) {
            return;
        }
        h.append("<section id=\"notes\">\n<h2>Notes and problems the agent reported</h2>\n<ul>");
        for (String n : notes) {
            h.append("<li>").append(Html.escape(n)).append("</li>");
        }
        h.append("</ul>\n</section>\n");
    }

    private static void footer(StringBuilder h, Run run) {
        h.append("<footer>\n<p>Made by <code>headroom report</code> from <code>").append(Html.escape(run.source()))
                .append("</code> (").append(run.kind());
        if (run.runs() > 1) {
            h.append("; run ").append(run.runNumber()).append(" of the ").append(run.runs())
                    .append(" it holds, pick another with <code>--run N</code>");
        }
        h.append("). Times are UTC. Sizes are binary: 1 MiB = 1,048,576 bytes. The chart draws ")
                .append(Chart.BUCKETS).append(" time buckets keeping each one's lowest and highest working set.</p>\n");
        if (run.malformedLines() > 0) {
            h.append("<p id=\"malformed\" class=\"malformed\">").append(run.malformedLines())
                    .append(run.malformedLines() == 1 ? " line was" : " lines were")
                    .append(" not a readable event and skipped (a log cut mid-line, or edited by hand).</p>\n");
        }
        h.append("</footer>\n");
    }

    private static String text(JsonNode node, String field, String otherwise) {
        JsonNode v = node.path(field);
        return v.isValueNode() && !v.isNull() ? v.asText() : otherwise;
    }

    // ---------------------------------------------------------------- style and script

    private static final String CSS = """
            :root{--ink:#1b1f24;--muted:#5b6470;--line:#e3e6ea;--bg:#ffffff;--soft:#f5f6f8}
            *{box-sizing:border-box}
            body{margin:0 auto;max-width:1280px;padding:20px 28px 40px;color:var(--ink);background:var(--bg);
            font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans","Liberation Sans",sans-serif}
            h1{font-size:26px;line-height:1.25;margin:0 0 6px}
            h2{font-size:19px;margin:34px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
            code{font-family:ui-monospace,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:13px;
            background:var(--soft);padding:1px 4px;border-radius:3px}
            .verdict{border-left:6px solid #999;padding:10px 16px;background:var(--soft);border-radius:4px}
            .verdict-oom{border-color:#b71c1c;background:#fdf0f0}.verdict-oom h1{color:#8e1010}
            .verdict-abrupt{border-color:#c27c00;background:#fff7e8}
            .verdict-running{border-color:#1565c0;background:#eef4fb}
            .verdict-clean{border-color:#2e7d32;background:#eef7ee}.verdict-clean h1{color:#1f5e23}
            .why{margin:0;color:var(--muted)}
            .figures{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0 8px}
            .figure{flex:1 1 180px;border:1px solid var(--line);border-radius:6px;padding:8px 12px}
            .figure .name{font-size:13px;color:var(--muted)}
            .figure .value{font-size:22px;font-weight:600}
            .figure .note{font-size:12.5px;color:var(--muted)}
            .facts{display:flex;flex-wrap:wrap;gap:4px 22px;margin:8px 0 0;font-size:13px}
            .facts div{display:flex;gap:6px}.facts dt{color:var(--muted)}.facts dd{margin:0}
            .chart-box{position:relative;margin-top:14px;border:1px solid var(--line);border-radius:6px;padding:6px}
            #chart{width:100%;height:auto;display:block;font-size:12.5px}
            #chart text{fill:#3b4450}#chart .axis-title{fill:var(--muted);font-size:12.5px}
            #chart .grid{stroke:#e6e8ec;stroke-width:1}#chart .baseline{stroke:#888}#chart .tick{stroke:#888}
            #chart .series{stroke:#fff;stroke-width:.4;stroke-opacity:.7}
            #chart .line-label{font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px}
            #chart text.marker-label{font-weight:600;font-size:12px;paint-order:stroke;stroke:#fff;stroke-width:3px}
            #chart .peak-label{font-weight:700;fill:#111;paint-order:stroke;stroke:#fff;stroke-width:4px}
            #chart .empty{font-size:18px;fill:var(--muted)}
            #tip{position:absolute;pointer-events:none;background:rgba(255,255,255,.96);border:1px solid #bbb;
            border-radius:5px;padding:6px 9px;font-size:12.5px;box-shadow:0 2px 8px rgba(0,0,0,.15);min-width:190px}
            #tip b{display:block;margin-bottom:2px}#tip div{display:flex;justify-content:space-between;gap:12px}
            .legend{display:flex;flex-direction:column;gap:4px;padding:6px 8px 4px;font-size:13px}
            .legend-group{display:flex;flex-wrap:wrap;gap:4px 16px;align-items:center}
            .group-title{font-weight:600;min-width:86px;color:var(--muted)}
            .key{display:inline-flex;align-items:center;gap:5px}.key small{color:var(--muted)}
            .swatch{display:inline-block;width:13px;height:13px;border-radius:2px;vertical-align:-2px;margin-right:6px;
            border:1px solid rgba(0,0,0,.15)}
            .swatch.hatched{background:repeating-linear-gradient(45deg,#fff 0 3px,#555 3px 4.5px)!important}
            .key .swatch{margin-right:0}
            .line{display:inline-block;width:22px;border-top:3px solid}.line.dashed{border-top-style:dashed}
            .dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px}
            .key .dot{margin-right:0}
            table{border-collapse:collapse;width:100%;font-size:14px}
            th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
            thead th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
            tfoot th,tfoot td{font-weight:600;border-bottom:none}
            .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .source{color:var(--muted);font-size:12.5px}
            .bar-col{width:18%}.bar{display:inline-block;height:10px;border-radius:2px;min-width:1px}
            .lead{color:var(--muted);margin:4px 0 10px}
            .raw{color:var(--muted);font-size:13px;margin:8px 0 0;padding-left:18px}
            .ok{color:#1f5e23}.bad{color:#b71c1c}
            .causes{margin:0}.causes div{padding:7px 0;border-bottom:1px solid var(--line)}
            .causes dt{font-weight:600}.causes dt small{color:var(--muted);font-weight:400;margin-left:6px}
            .causes dd{margin:2px 0 0 19px}
            .evidence{padding-left:18px}.evidence li{margin:6px 0}.when{color:var(--muted);font-variant-numeric:tabular-nums}
            .histogram{margin:6px 0 0;max-width:760px}
            .events td:first-child{white-space:nowrap;font-variant-numeric:tabular-nums}
            tr.marker-critical td,tr.marker-end-abrupt td{background:#fdf0f0}
            tr.marker-warning td{background:#fff8ea}
            footer{margin-top:34px;color:var(--muted);font-size:12.5px}
            .malformed{color:#8a4b00}
            #js-errors{background:#fdd;color:#900;padding:8px}
            @media print{#tip{display:none}.chart-box{break-inside:avoid}}
            """;

    private static final String SCRIPT = """
            (function(){
            var data=JSON.parse(document.getElementById('chart-data').textContent);
            var svg=document.getElementById('chart'),hover=document.getElementById('hover'),
                cursor=document.getElementById('cursor'),tip=document.getElementById('tip');
            if(!svg||!hover||!data.x.length){return;}
            function fmt(m){return m>=1024?(m/1024).toFixed(2)+' GiB':m.toFixed(1)+' MiB';}
            function nearest(x){var lo=0,hi=data.x.length-1;while(hi-lo>1){var mid=(lo+hi)>>1;
              if(data.x[mid]<x){lo=mid;}else{hi=mid;}}return (x-data.x[lo]<data.x[hi]-x)?lo:hi;}
            hover.addEventListener('mousemove',function(ev){
              var pt=svg.createSVGPoint();pt.x=ev.clientX;pt.y=ev.clientY;
              var p=pt.matrixTransform(svg.getScreenCTM().inverse());var i=nearest(p.x);
              cursor.setAttribute('x1',data.x[i]);cursor.setAttribute('x2',data.x[i]);
              cursor.setAttribute('visibility','visible');
              var rows=[];for(var k=0;k<data.parts.length;k++){rows.push([data.parts[k].v[i],data.parts[k]]);}
              rows.sort(function(a,b){return b[0]-a[0];});
              var html='<b>'+data.time[i]+' UTC</b><div><span>working set</span><span>'+fmt(data.ws[i])+'</span></div>';
              if(data.limit[i]!==null){html+='<div><span>limit</span><span>'+fmt(data.limit[i])+'</span></div>';}
              for(var r=0;r<Math.min(7,rows.length);r++){if(rows[r][0]===0){break;}
                html+='<div><span><i class="dot" style="background:'+rows[r][1].colour+'"></i>'+
                  rows[r][1].label.replace(/[<>&]/g,'')+'</span><span>'+fmt(rows[r][0])+'</span></div>';}
              tip.innerHTML=html;tip.hidden=false;
              var box=svg.parentNode.getBoundingClientRect();var left=ev.clientX-box.left+16;
              if(left+tip.offsetWidth>box.width){left=ev.clientX-box.left-tip.offsetWidth-16;}
              tip.style.left=left+'px';tip.style.top=(ev.clientY-box.top+12)+'px';
            });
            hover.addEventListener('mouseleave',function(){tip.hidden=true;cursor.setAttribute('visibility','hidden');});
            })();
            """;
}
