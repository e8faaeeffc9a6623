package dev.headroom.sense.jvm;

/** One category of a Native Memory Tracking summary, e.g. {@code Java Heap}, {@code Class}, {@code Thread}. */
public record NmtCategory(String name, long reservedBytes, long committedBytes) {
}
