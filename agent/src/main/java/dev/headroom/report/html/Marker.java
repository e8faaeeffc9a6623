package dev.headroom.report.html;

/**
 * Something that happened at one moment, drawn on the chart and listed in the timeline.
 *
 * @param kind   warning, critical, heapDump, heapDumpSkipped, heapDumpFailed, histogram, relief,
 *               recovered, problem, previousRun, start, endClean, endAbrupt
 * @param title  a few words for the chart's label
 * @param detail a sentence for the timeline
 */
record Marker(long epochMillis, String kind, String title, String detail) {

    boolean drawn() {
        return switch (kind) {
            case "warning", "critical", "heapDump", "heapDumpFailed", "histogram", "relief", "recovered",
                 "endClean", "endAbrupt" -> true;
            default -> false;
        };
    }

    /** The CSS class, e.g. {@code marker-heap-dump}, {@code marker-end-abrupt}. */
    String cssClass() {
        StringBuilder out = new StringBuilder("marker-");
        for (int i = 0; i < kind.length(); i++) {
            char c = kind.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
