package dev.headroom.report.html;

/**
 * What the log says a part is (the latest words seen for its id). {@code cause} is shown verbatim,
 * so the report and {@code inspect} say the same things in the same words.
 */
record PartInfo(String id, String label, String group, String source, String cause) {
}
