package dev.headroom.act;

/**
 * What one relief action did.
 *
 * @param action         {@code trimNativeHeap}, {@code gc} or {@code softMaxHeapSize}
 * @param done           whether it ran
 * @param detail         what happened, or why not, in words
 * @param rssBeforeBytes the process RSS just before, {@code -1} when unknown or not run
 * @param rssAfterBytes  the process RSS just after, {@code -1} when unknown or not run
 */
public record ReliefResult(String action, boolean done, String detail, long rssBeforeBytes, long rssAfterBytes) {

    static ReliefResult notDone(String action, String detail) {
        return new ReliefResult(action, false, detail, -1, -1);
    }
}
