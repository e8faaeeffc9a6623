package dev.headroom.reconcile;

/**
 * The JVM's memory settings and start-up state that the budget check needs. Bytes; {@code -1}
 * where not set or unknown, as each component says.
 *
 * @param maxHeapBytes             {@code -Xmx} / MaxHeapSize as the JVM resolved it ({@code Runtime.maxMemory()}), {@code -1} unknown
 * @param maxMetaspaceBytes        {@code -XX:MaxMetaspaceSize}, {@code -1} when unlimited (the default)
 * @param reservedCodeCacheBytes   {@code -XX:ReservedCodeCacheSize}, {@code -1} unknown
 * @param maxDirectMemoryBytes     {@code -XX:MaxDirectMemorySize}, {@code -1} when not set (the JDK then lets direct
 *                                 buffers grow as large as the max heap)
 * @param threadStackSizeBytes     {@code -Xss} / ThreadStackSize, {@code -1} unknown
 * @param liveThreads              threads alive now, {@code -1} unknown
 * @param expectedThreads          the threads the application will run at its busiest, when someone knows, {@code -1} otherwise
 * @param loadedClassCount         classes loaded now (or expected), {@code -1} unknown
 * @param committedMetaspaceBytes  metaspace committed now (the MemoryPoolMXBean), {@code -1} unknown
 * @param committedCodeCacheBytes  code cache committed now (all CodeHeap pools), {@code -1} unknown
 * @param directBytes              direct buffers held now (BufferPoolMXBean "direct"), {@code -1} unknown
 */
public record JvmBudgetInputs(
        long maxHeapBytes,
        long maxMetaspaceBytes,
        long reservedCodeCacheBytes,
        long maxDirectMemoryBytes,
        long threadStackSizeBytes,
        int liveThreads,
        int expectedThreads,
        long loadedClassCount,
        long committedMetaspaceBytes,
        long committedCodeCacheBytes,
        long directBytes) {
}
