package dev.headroom.forecast;

/**
 * How one part of the breakdown is moving.
 *
 * @param partId        the {@link dev.headroom.reconcile.Part#id()} (or {@code liveHeap} for the
 *                      post-GC heap level, {@code workingSet} for the total)
 * @param label         for a person
 * @param bytes         its latest level (for the heap: the level after the last GC)
 * @param bytesPerSecond the robust growth rate; zero or negative when not growing
 */
public record Trend(String partId, String label, long bytes, double bytesPerSecond) {
}
