package dev.headroom.sense.jvm;

/**
 * One JVM memory pool. Bytes; {@code -1} where undefined (e.g. no max).
 *
 * @param usedAfterGc the pool's use right after the last collection ({@code getCollectionUsage}),
 *                    the level that shows live data rather than the GC sawtooth; {@code -1} if none
 */
public record MemoryPoolUsage(String name, boolean heap, long used, long committed, long max, long usedAfterGc) {
}
