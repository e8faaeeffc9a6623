package dev.headroom.report.html;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The stacked area chart as inline SVG: one band per part, the working set as a line on top, the
 * limit and memory.high as lines, the forecast as a dashed projection past the last sample, and the
 * run's events as vertical markers. Pure: a {@link Run} in, markup out.
 */
final class Chart {

    static final int WIDTH = 1200;
    static final int HEIGHT = 540;
    static final double LEFT = 84;
    static final double RIGHT = WIDTH - 28;
    static final double TOP = 78;
    static final double BOTTOM = HEIGHT - 62;
    /** Two samples per pixel column at most: finer than the eye, and the page stays small. */
    static final int BUCKETS = (int) ((RIGHT - LEFT) / 2);

    private static final List<String> GROUP_ORDER = List.of("jvm", "native", "pageCache", "kernel", "other");
    private static final Map<String, String[]> PALETTE = Map.of(
            "jvm", new String[] {"#1f4e9c", "#4f86d9", "#8db5ee", "#2c6f8f", "#62a7c7", "#a9d2e6", "#3d5a99"},
            "native", new String[] {"#d9661f", "#f29b5c", "#a84a0f", "#f7c39a"},
            "pageCache", new String[] {"#2e8b57", "#74c493", "#1b5e3a", "#a8dcbc"},
            "kernel", new String[] {"#7b4fb0", "#a98bd6", "#54307f"},
            "other", new String[] {"#8a7f72", "#b8ad9f", "#6b6157", "#d6cec4"});
    private static final String[] FALLBACK = {"#9e9e9e", "#757575", "#bdbdbd"};

    /** A part as drawn: its colour and its values at the drawn samples. */
    record Band(PartInfo info, String colour, boolean negative, long peak) {
    }

    /** Where the dashed projection goes, or {@code null}. */
    record Projection(long fromMillis, long fromBytes, long toMillis, long toBytes, boolean meetsLimit,
                      double secondsToLimit, double confidence, double growthBytesPerSecond) {
    }

    private final Run run;
    private final Timeline tl;
    private final int[] drawn;
    private final int worst;
    private final List<Band> bands = new ArrayList<>();
    private final Projection projection;
    private final long x0;
    private final long x1;
    private final long yMax;
    private final long yStep;

    Chart(Run run) {
        this.run = run;
        this.tl = run.timeline();
        this.worst = tl.worst();
        this.drawn = Downsample.select(tl, BUCKETS, worst);
        this.projection = projection(run);
        long start = HtmlReport.startMillis(run);
        long end = Math.max(tl.size() > 0 ? tl.time(tl.size() - 1) : start, run.endMillis());
        if (projection != null) {
            end = Math.max(end, projection.toMillis());
        }
        if (end <= start) {
            end = start + 1000;
        }
        this.x0 = start;
        // A little room on the right, so the last marker and the forecast's end are not cut.
        this.x1 = end + (end - start) / 60;
        long top = 0;
        for (int i : drawn) {
            long positive = 0;
            for (long[] column : tl.parts().values()) {
                positive += Math.max(0, column[i]);
            }
            top = Math.max(top, Math.max(positive, tl.workingSet(i)));
            top = Math.max(top, Math.max(tl.limit(i), tl.high(i)));
        }
        if (projection != null) {
            top = Math.max(top, projection.toBytes());
        }
        top = Math.max(top, 1024 * 1024);
        this.yStep = niceStep(top);
        this.yMax = (long) (Math.ceil(top * 1.04 / yStep) * yStep);
        buildBands();
    }

    List<Band> bands() {
        return bands;
    }

    Projection projection() {
        return projection;
    }

    int[] drawn() {
        return drawn;
    }

    private void buildBands() {
        List<String> groups = new ArrayList<>(GROUP_ORDER);
        for (PartInfo p : run.parts().values()) {
            if (!groups.contains(p.group())) {
                groups.add(p.group());
            }
        }
        for (String group : groups) {
            String[] palette = PALETTE.getOrDefault(group, FALLBACK);
            int shade = 0;
            for (PartInfo p : run.parts().values()) {
                if (!p.group().equals(group)) {
                    continue;
                }
                long peak = 0;
                long trough = 0;
                for (int i : drawn) {
                    long v = tl.part(p.id(), i);
                    peak = Math.max(peak, v);
                    trough = Math.min(trough, v);
                }
                if (peak == 0 && trough == 0) {
                    continue;
                }
                boolean negative = peak == 0;
                String colour = p.id().equals("unexplained") ? "#c9c9c9" : palette[shade++ % palette.length];
                bands.add(new Band(p, colour, negative, negative ? trough : peak));
            }
        }
    }

    /** The last snapshot's forecast: growing at its rate until it meets the limit, or a while past the end. */
    private static Projection projection(Run run) {
        Timeline tl = run.timeline();
        if (tl.size() == 0) {
            return null;
        }
        JsonNode f = run.lastSnapshot().path("forecast");
        if (!f.isObject()) {
            return null;
        }
        int last = tl.size() - 1;
        long from = tl.time(last);
        long ws = tl.workingSet(last);
        long limit = tl.limit(last);
        double growth = f.path("growthBytesPerSecond").asDouble(0);
        double seconds = f.path("secondsToLimit").isNumber() ? f.path("secondsToLimit").asDouble() : Double.NaN;
        double confidence = f.path("confidence").asDouble(0);
        double span = Math.max(1, (from - tl.time(0)) / 1000.0);
        // Draw at most a quarter of the run ahead (5 s at least), so a far forecast does not squash the data.
        double horizon = Math.max(5, span / 4);
        if (!Double.isNaN(seconds) && seconds >= 0 && limit > 0 && seconds <= horizon) {
            return new Projection(from, ws, from + Math.round(seconds * 1000), limit, true, seconds, confidence,
                    growth);
        }
        if (growth > 0) {
            long to = ws + Math.round(growth * horizon);
            if (limit > 0) {
                to = Math.min(to, limit);
            }
            return new Projection(from, ws, from + Math.round(horizon * 1000), to, false, seconds, confidence,
                    growth);
        }
        return null;
    }

    private double x(long millis) {
        return LEFT + (RIGHT - LEFT) * (millis - x0) / (double) (x1 - x0);
    }

    private double y(long bytes) {
        return BOTTOM - (BOTTOM - TOP) * Math.max(0, bytes) / (double) yMax;
    }

    String svg() {
        StringBuilder s = new StringBuilder(256 * 1024);
        s.append("<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" role=\"img\" aria-label=\"Working set by part over time\">\n");
        s.append("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
                + "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffffff\" fill-opacity=\"0.55\"/>"
                + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#555\" stroke-width=\"1.5\"/></pattern>"
                + "<clipPath id=\"plot\"><rect x=\"").append(LEFT).append("\" y=\"").append(TOP - 2)
                .append("\" width=\"").append(RIGHT - LEFT).append("\" height=\"").append(BOTTOM - TOP + 2)
                .append("\"/></clipPath></defs>\n");
        s.append("<rect class=\"plot-bg\" x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
                .append(RIGHT - LEFT).append("\" height=\"").append(BOTTOM - TOP).append("\" fill=\"#fbfbfd\"/>\n");
        yAxis(s);
        xAxis(s);
        if (tl.size() > 0) {
            s.append("<g clip-path=\"url(#plot)\">\n");
            areas(s);
            lines(s);
            s.append("</g>\n");
            levels(s);
            worstMoment(s);
        } else {
            s.append("<text x=\"").append((LEFT + RIGHT) / 2).append("\" y=\"").append((TOP + BOTTOM) / 2)
                    .append("\" text-anchor=\"middle\" class=\"empty\">no snapshots in this log</text>\n");
        }
        markers(s);
        s.append("<line id=\"cursor\" x1=\"0\" x2=\"0\" y1=\"").append(TOP).append("\" y2=\"").append(BOTTOM)
                .append("\" stroke=\"#111\" stroke-width=\"1\" visibility=\"hidden\"/>\n");
        s.append("<rect id=\"hover\" x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
                .append(RIGHT - LEFT).append("\" height=\"").append(BOTTOM - TOP)
                .append("\" fill=\"transparent\"/>\n");
        s.append("</svg>\n");
        return s.toString();
    }

    private void yAxis(StringBuilder s) {
        s.append("<g class=\"axis y-axis\">\n");
        // v >= 0: with yMax near Long.MAX_VALUE the next step overflows, and the loop must end there.
        for (long v = 0; v >= 0 && v <= yMax; v += yStep) {
            double y = y(v);
            s.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(RIGHT).append("\" y1=\"")
                    .append(Units.coord(y)).append("\" y2=\"").append(Units.coord(y))
                    .append("\" class=\"grid\"/><text x=\"").append(LEFT - 8).append("\" y=\"")
                    .append(Units.coord(y + 4)).append("\" text-anchor=\"end\">").append(tick(v)).append("</text>\n");
        }
        s.append("<text class=\"axis-title\" transform=\"translate(18,").append(Units.coord((TOP + BOTTOM) / 2))
                .append(") rotate(-90)\" text-anchor=\"middle\">memory (working set and its parts)</text>\n");
        s.append("</g>\n");
    }

    private void xAxis(StringBuilder s) {
        long span = x1 - x0;
        long[] steps = {1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
            1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000};
        long step = steps[steps.length - 1];
        for (long candidate : steps) {
            if (span / candidate <= 10) {
                step = candidate;
                break;
            }
        }
        // Past a day keep doubling, so a run of months (or a damaged time) still gets about ten ticks.
        while (span / step > 10 && step <= Long.MAX_VALUE / 2) {
            step *= 2;
        }
        s.append("<g class=\"axis x-axis\">\n");
        s.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(RIGHT).append("\" y1=\"").append(BOTTOM)
                .append("\" y2=\"").append(BOTTOM).append("\" class=\"baseline\"/>\n");
        for (long t = (x0 + step - 1) / step * step; t >= x0 && t <= x1; t += step) {
            double x = x(t);
            s.append("<line x1=\"").append(Units.coord(x)).append("\" x2=\"").append(Units.coord(x))
                    .append("\" y1=\"").append(BOTTOM).append("\" y2=\"").append(BOTTOM + 5)
                    .append("\" class=\"tick\"/><text x=\"").append(Units.coord(x)).append("\" y=\"")
                    .append(BOTTOM + 30).append("\" text-anchor=\"middle\">")
                    .append(step < 60_000 ? Units.clock(t) : Units.clock(t).substring(0, 5)).append("</text>\n");
        }
        s.append("<text class=\"axis-title\" x=\"").append(Units.coord((LEFT + RIGHT) / 2)).append("\" y=\"")
                .append(HEIGHT - 8).append("\" text-anchor=\"middle\">time (UTC), ")
                .append(Units.date(x0)).append("</text>\n");
        s.append("</g>\n");
    }

    private void areas(StringBuilder s) {
        int n = drawn.length;
        // Cumulative tops of the positive bands, bottom-up; each band is painted as the area from its
        // top down to zero, topmost first, so every edge is written once and the page stays small.
        List<Band> positive = new ArrayList<>();
        for (Band b : bands) {
            if (!b.negative()) {
                positive.add(b);
            }
        }
        long[][] tops = new long[positive.size()][n];
        for (int j = 0; j < n; j++) {
            long sum = 0;
            for (int k = 0; k < positive.size(); k++) {
                sum += Math.max(0, tl.part(positive.get(k).info().id(), drawn[j]));
                tops[k][j] = sum;
            }
        }
        s.append("<g class=\"bands\">\n");
        for (int k = positive.size() - 1; k >= 0; k--) {
            Band b = positive.get(k);
            s.append("<path id=\"series-").append(Html.token(b.info().id())).append("\" class=\"series group-")
                    .append(Html.token(b.info().group())).append("\" fill=\"").append(b.colour()).append("\" d=\"M")
                    .append(Units.coord(x(tl.time(drawn[0])))).append(' ').append(Units.coord(y(0)));
            for (int j = 0; j < n; j++) {
                s.append('L').append(Units.coord(x(tl.time(drawn[j])))).append(' ')
                        .append(Units.coord(y(tops[k][j])));
            }
            s.append('L').append(Units.coord(x(tl.time(drawn[n - 1])))).append(' ').append(Units.coord(y(0)))
                    .append("Z\"><title>").append(Html.escape(b.info().label())).append(" (peak ")
                    .append(Units.bytes(b.peak())).append(")</title></path>\n");
        }
        // Corrections (committed but not resident): hatched from the working set up to the stack's top,
        // the part of the bands that is counted by the JVM but not by the kernel.
        for (Band b : bands) {
            if (!b.negative()) {
                continue;
            }
            s.append("<path id=\"series-").append(Html.token(b.info().id()))
                    .append("\" class=\"series correction\" fill=\"url(#hatch)\" d=\"M");
            for (int j = 0; j < n; j++) {
                long top = positive.isEmpty() ? 0 : tops[positive.size() - 1][j];
                s.append(j == 0 ? "" : "L").append(Units.coord(x(tl.time(drawn[j])))).append(' ')
                        .append(Units.coord(y(top)));
            }
            for (int j = n - 1; j >= 0; j--) {
                long top = positive.isEmpty() ? 0 : tops[positive.size() - 1][j];
                long v = tl.part(b.info().id(), drawn[j]);
                s.append('L').append(Units.coord(x(tl.time(drawn[j])))).append(' ')
                        .append(Units.coord(y(top + Math.min(0, v))));
            }
            s.append("Z\"><title>").append(Html.escape(b.info().label()))
                    .append(": counted by the JVM, not resident, so not in the working set</title></path>\n");
        }
        s.append("</g>\n");
    }

    private void lines(StringBuilder s) {
        s.append("<polyline id=\"series-working-set\" class=\"working-set\" fill=\"none\" stroke=\"#111\" "
                + "stroke-width=\"1.8\" stroke-linejoin=\"round\" points=\"");
        for (int i : drawn) {
            s.append(Units.coord(x(tl.time(i)))).append(',').append(Units.coord(y(tl.workingSet(i)))).append(' ');
        }
        s.append("\"><title>working set</title></polyline>\n");
        stepLine(s, "limit-line", "#c62828", "2.2", null, true);
        stepLine(s, "high-line", "#e67e22", "1.6", "6 4", false);
        if (projection != null) {
            s.append("<line id=\"forecast-projection\" class=\"forecast\" x1=\"")
                    .append(Units.coord(x(projection.fromMillis()))).append("\" y1=\"")
                    .append(Units.coord(y(projection.fromBytes()))).append("\" x2=\"")
                    .append(Units.coord(x(projection.toMillis()))).append("\" y2=\"")
                    .append(Units.coord(y(projection.toBytes())))
                    .append("\" stroke=\"#6a1b9a\" stroke-width=\"2.4\" stroke-dasharray=\"7 5\"><title>forecast: ")
                    .append(Html.escape(forecastText())).append("</title></line>\n");
            if (projection.meetsLimit()) {
                s.append("<circle class=\"forecast-meets\" cx=\"").append(Units.coord(x(projection.toMillis())))
                        .append("\" cy=\"").append(Units.coord(y(projection.toBytes())))
                        .append("\" r=\"4.5\" fill=\"#fff\" stroke=\"#6a1b9a\" stroke-width=\"2\"/>\n");
            }
        }
    }

    String forecastText() {
        if (projection == null) {
            return "";
        }
        String conf = " (confidence " + Units.percent(projection.confidence()) + ")";
        if (projection.meetsLimit()) {
            return "limit in " + Units.duration(projection.secondsToLimit()) + " at "
                    + Units.clockMillis(projection.toMillis()) + ", growing " + Units.rate(projection.growthBytesPerSecond())
                    + conf;
        }
        return "growing " + Units.rate(projection.growthBytesPerSecond())
                + (Double.isNaN(projection.secondsToLimit()) ? "" : ", limit in "
                + Units.duration(projection.secondsToLimit())) + conf;
    }

    /** The limit or memory.high: horizontal between changes, vertical at a change. */
    private void stepLine(StringBuilder s, String id, String colour, String width, String dash, boolean limit) {
        StringBuilder points = new StringBuilder();
        long lastValue = Long.MIN_VALUE;
        long shown = -1;
        for (int i : drawn) {
            long v = limit ? tl.limit(i) : tl.high(i);
            if (v <= 0) {
                continue;
            }
            if (lastValue != Long.MIN_VALUE && v != lastValue) {
                points.append(Units.coord(x(tl.time(i)))).append(',').append(Units.coord(y(lastValue))).append(' ');
            }
            points.append(Units.coord(x(tl.time(i)))).append(',').append(Units.coord(y(v))).append(' ');
            lastValue = v;
            shown = v;
        }
        if (shown < 0) {
            return;
        }
        // Extend the last value to the chart's right edge, under the forecast.
        points.append(Units.coord(RIGHT)).append(',').append(Units.coord(y(lastValue)));
        s.append("<polyline id=\"").append(id).append("\" fill=\"none\" stroke=\"").append(colour)
                .append("\" stroke-width=\"").append(width).append('"');
        if (dash != null) {
            s.append(" stroke-dasharray=\"").append(dash).append('"');
        }
        s.append(" points=\"").append(points).append("\"/>\n");
        s.append("<text class=\"line-label\" x=\"").append(LEFT + 6).append("\" y=\"")
                .append(Units.coord(y(shown) - 6)).append("\" text-anchor=\"start\" fill=\"").append(colour).append("\">")
                .append(limit ? "limit " : "memory.high ").append(Units.bytes(shown)).append("</text>\n");
    }

    private void levels(StringBuilder s) {
        double y = BOTTOM + 6;
        StringBuilder rects = new StringBuilder();
        for (int j = 0; j < drawn.length; j++) {
            byte level = tl.level(drawn[j]);
            if (level != Timeline.WARNING && level != Timeline.CRITICAL) {
                continue;
            }
            double from = x(tl.time(drawn[j]));
            double to = j + 1 < drawn.length ? x(tl.time(drawn[j + 1])) : from + 2;
            rects.append("<rect class=\"level-").append(level == Timeline.WARNING ? "warning" : "critical")
                    .append("\" x=\"").append(Units.coord(from)).append("\" y=\"").append(Units.coord(y))
                    .append("\" width=\"").append(Units.coord(Math.max(1, to - from))).append("\" height=\"7\" fill=\"")
                    .append(level == Timeline.WARNING ? "#f59e0b" : "#dc2626").append("\"/>");
        }
        if (rects.length() > 0) {
            s.append("<g id=\"levels\"><title>level: amber WARNING, red CRITICAL</title>").append(rects)
                    .append("</g>\n");
        }
    }

    private void worstMoment(StringBuilder s) {
        if (worst < 0) {
            return;
        }
        double x = x(tl.time(worst));
        double y = y(tl.workingSet(worst));
        long limit = tl.limit(worst);
        String text = "peak " + Units.bytes(tl.workingSet(worst))
                + (limit > 0 ? " (" + Units.percent((double) tl.workingSet(worst) / limit) + " of limit)" : "")
                + " at " + Units.clock(tl.time(worst));
        boolean leftSide = x > (LEFT + RIGHT) / 2;
        double ty = y - 12;
        if (limit > 0 && ty > y(limit) - 3 && ty - 13 < y(limit) + 3) {
            // Close under the limit line: write it above the line, not across it.
            ty = y(limit) - 8;
        }
        ty = Math.max(TOP + 14, ty);
        s.append("<g id=\"worst-moment\"><circle cx=\"").append(Units.coord(x)).append("\" cy=\"")
                .append(Units.coord(y)).append("\" r=\"5\" fill=\"#fff\" stroke=\"#111\" stroke-width=\"2\"/>")
                .append("<text class=\"peak-label\" x=\"").append(Units.coord(leftSide ? x - 10 : x + 10))
                .append("\" y=\"").append(Units.coord(ty)).append("\" text-anchor=\"")
                .append(leftSide ? "end" : "start").append("\">").append(Html.escape(text)).append("</text></g>\n");
    }

    private void markers(StringBuilder s) {
        s.append("<g class=\"markers\">\n");
        Set<String> seen = new HashSet<>();
        double[] rowEnd = {-1e9, -1e9, -1e9, -1e9};
        for (Marker m : run.markers()) {
            if (!m.drawn()) {
                continue;
            }
            double x = x(m.epochMillis());
            // Many alerts in one pixel column (a day of them) are drawn once.
            if (!seen.add(m.kind() + "@" + Math.round(x))) {
                continue;
            }
            String colour = colour(m.kind());
            boolean end = m.kind().startsWith("end");
            s.append("<g class=\"marker ").append(m.cssClass()).append("\"><title>")
                    .append(Html.escape(Units.clock(m.epochMillis()) + " " + m.detail())).append("</title>");
            s.append("<line x1=\"").append(Units.coord(x)).append("\" x2=\"").append(Units.coord(x)).append("\" y1=\"")
                    .append(TOP - 6).append("\" y2=\"").append(BOTTOM).append("\" stroke=\"").append(colour)
                    .append("\" stroke-width=\"").append(end ? "2.5" : "1.5").append('"')
                    .append(end ? "" : " stroke-dasharray=\"3 3\"").append("/>");
            s.append(glyph(m.kind(), x, TOP - 6, colour));
            String label = m.title();
            double width = label.length() * 6.8 + 10;
            // Right of the line, or left of it where it would run off the chart; the first row
            // where it clears the labels already placed (markers come in time order).
            boolean flip = x + 8 + width > WIDTH - 4;
            double from = flip ? x - 8 - width : x;
            double to = flip ? x : x + 8 + width;
            int row = -1;
            for (int r = 0; r < rowEnd.length; r++) {
                if (from > rowEnd[r] + 4) {
                    row = r;
                    break;
                }
            }
            if (row < 0 && end) {
                row = rowEnd.length - 1;
            }
            if (row >= 0) {
                double ty = TOP - 16 - row * 15;
                s.append("<text class=\"marker-label\" x=\"").append(Units.coord(flip ? x - 8 : x + 8))
                        .append("\" y=\"").append(Units.coord(ty)).append("\" text-anchor=\"")
                        .append(flip ? "end" : "start").append("\" fill=\"").append(colour).append("\">")
                        .append(Html.escape(label)).append("</text>");
                rowEnd[row] = Math.max(rowEnd[row], to);
            }
            s.append("</g>\n");
        }
        s.append("</g>\n");
    }

    private static String glyph(String kind, double x, double y, String colour) {
        String cx = Units.coord(x);
        String cy = Units.coord(y);
        return switch (kind) {
            case "endAbrupt" -> "<path d=\"M" + Units.coord(x - 5) + " " + Units.coord(y - 5) + "l10 10m0 -10l-10 10\" "
                    + "stroke=\"" + colour + "\" stroke-width=\"3\"/>";
            case "heapDump", "histogram" -> "<rect x=\"" + Units.coord(x - 4.5) + "\" y=\"" + Units.coord(y - 4.5)
                    + "\" width=\"9\" height=\"9\" fill=\"" + colour + "\" transform=\"rotate(45 " + cx + " " + cy
                    + ")\"/>";
            default -> "<circle cx=\"" + cx + "\" cy=\"" + cy + "\" r=\"4.5\" fill=\"" + colour + "\"/>";
        };
    }

    static String colour(String kind) {
        return switch (kind) {
            case "warning" -> "#c27c00";
            case "critical" -> "#d32f2f";
            case "heapDump" -> "#1a3fb0";
            case "heapDumpFailed", "heapDumpSkipped" -> "#7f1d1d";
            case "histogram" -> "#0e7490";
            case "relief" -> "#15803d";
            case "recovered" -> "#16a34a";
            case "endClean" -> "#374151";
            case "endAbrupt" -> "#b71c1c";
            default -> "#555";
        };
    }

    /** A grid step with at most 8 lines; binary-friendly steps so 512 MiB and 2 GiB fall on lines. */
    static long niceStep(long top) {
        long mib = 1024L * 1024;
        long[] steps = {mib, 2 * mib, 5 * mib, 10 * mib, 16 * mib, 32 * mib, 50 * mib, 64 * mib, 100 * mib,
            128 * mib, 200 * mib, 256 * mib, 512 * mib, 1024 * mib, 2048 * mib, 4096 * mib, 8192 * mib,
            16_384 * mib, 32_768 * mib, 65_536 * mib, 131_072 * mib, 262_144 * mib};
        for (long step : steps) {
            if (top / step < 8) {
                return step;
            }
        }
        // Past 256 GiB keep doubling: a fixed last step made a damaged log's 8 EiB working set draw 34 million
        // grid lines into a 2 GB string (OutOfMemoryError, found by RunReaderFuzzTest).
        long step = steps[steps.length - 1];
        while (top / step >= 8 && step <= Long.MAX_VALUE / 2) {
            step *= 2;
        }
        return step;
    }

    static String tick(long bytes) {
        long mib = 1024L * 1024;
        long gib = 1024 * mib;
        if (bytes == 0) {
            return "0";
        }
        if (bytes % gib == 0) {
            return (bytes / gib) + " GiB";
        }
        if (bytes >= gib) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) gib);
        }
        if (bytes % mib == 0) {
            return (bytes / mib) + " MiB";
        }
        return Units.bytes(bytes);
    }

    /** The drawn samples as JSON for the page's hover read-out: x, time, and MiB per series. */
    String hoverData() {
        StringBuilder s = new StringBuilder(64 * 1024);
        s.append("{\"x\":[");
        for (int j = 0; j < drawn.length; j++) {
            s.append(j == 0 ? "" : ",").append(Units.coord(x(tl.time(drawn[j]))));
        }
        s.append("],\"time\":[");
        for (int j = 0; j < drawn.length; j++) {
            s.append(j == 0 ? "\"" : ",\"").append(Units.clock(tl.time(drawn[j]))).append('"');
        }
        s.append("],\"ws\":").append(mibArray(tl.workingSets(), null));
        long[] limits = new long[drawn.length];
        for (int j = 0; j < drawn.length; j++) {
            limits[j] = tl.limit(drawn[j]);
        }
        s.append(",\"limit\":").append(mibArray(limits, new int[0]));
        s.append(",\"parts\":[");
        boolean first = true;
        for (Band b : bands) {
            s.append(first ? "" : ",").append("{\"label\":\"").append(jsonText(b.info().label()))
                    .append("\",\"colour\":\"").append(b.colour()).append("\",\"v\":")
                    .append(mibArray(tl.parts().get(b.info().id()), null)).append('}');
            first = false;
        }
        s.append("]}");
        return s.toString();
    }

    /** Values at the drawn samples (or, with {@code direct}, the array as is) in MiB with one decimal. */
    private String mibArray(long[] values, int[] direct) {
        StringBuilder s = new StringBuilder(drawn.length * 6);
        s.append('[');
        int n = direct != null ? values.length : drawn.length;
        for (int j = 0; j < n; j++) {
            long v = direct != null ? values[j] : values[drawn[j]];
            s.append(j == 0 ? "" : ",");
            if (v == -1 && direct != null) {
                s.append("null");
            } else {
                s.append(Units.coord(v / 1048576.0));
            }
        }
        return s.append(']').toString();
    }

    private static String jsonText(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                // < and > escaped so the JSON cannot close its script element.
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
