package dev.headroom.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headroom.reconcile.MeasuredBudget;

import java.util.List;
import java.util.Map;

/**
 * One run of the agent as the log tells it: the samples, what the parts are, what happened, and how
 * it ended. JSON objects are kept as the reader found them and read leniently (absent fields are
 * "unknown"), so older or newer logs still make a page.
 *
 * @param source        the file's name, for the page's footer
 * @param kind          "event log" or "flight file"
 * @param start         the {@code start} event, or a missing node
 * @param timeline      the samples
 * @param parts         every part id seen, in first-seen order
 * @param worstSnapshot the snapshot (or flight history entry) at the worst moment, or a missing node
 * @param lastSnapshot  the last snapshot (or the flight file itself), for the forecast; or a missing node
 * @param budget        the start-up {@code budget} event, or a missing node
 * @param measuredBudget the last {@code budget} event with {@code basis: "measured"}, or a missing node
 * @param sizing        the run's peaks measured from its samples, as the agent measures them; {@code null}
 *                      without samples
 * @param markers       what happened, in time order, the end included
 * @param evidence      heapDump, heapDumpSkipped, heapDumpFailed, histogram and relief events
 * @param problems      {@code problem} events
 * @param endedCleanly  a {@code stop} event (or {@code ended: true}) exists
 * @param endReason     the stop's reason, or empty
 * @param endMillis     when it ended: the stop, or the last sample when it ended abruptly
 * @param runs          how many runs the log holds ({@code start} events; at least 1)
 * @param runNumber     which of them this is, 1-based
 * @param malformedLines lines that were not JSON objects, skipped
 */
record Run(
        String source,
        String kind,
        JsonNode start,
        Timeline timeline,
        Map<String, PartInfo> parts,
        JsonNode worstSnapshot,
        JsonNode lastSnapshot,
        JsonNode budget,
        JsonNode measuredBudget,
        MeasuredBudget sizing,
        List<Marker> markers,
        List<JsonNode> evidence,
        List<JsonNode> problems,
        boolean endedCleanly,
        String endReason,
        long endMillis,
        int runs,
        int runNumber,
        int malformedLines) {
}
