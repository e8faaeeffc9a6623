package dev.headroom.sense.jvm;

/** A JDK buffer pool ({@code direct} or {@code mapped}, plus {@code mapped - 'non-volatile memory'}). */
public record BufferPoolUsage(String name, long count, long memoryUsedBytes, long totalCapacityBytes) {
}
