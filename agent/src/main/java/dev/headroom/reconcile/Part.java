package dev.headroom.reconcile;

/**
 * One line of the reconciliation: a share of the working set and what it is.
 *
 * @param id     stable identifier (lowerCamelCase), used as a metric tag and in the event log
 * @param label  short name for a person, e.g. "Java heap (committed)"
 * @param group  one of {@code jvm}, {@code native}, {@code pageCache}, {@code kernel}, {@code other}
 * @param bytes  the share; may be negative only for corrections (committed but not resident)
 * @param source which counter measured it, e.g. "MemoryMXBean", "NMT", "memory.stat active_file"
 * @param cause  the likely cause and usual remedy in plain words, or empty
 */
public record Part(String id, String label, String group, long bytes, String source, String cause) {
}
