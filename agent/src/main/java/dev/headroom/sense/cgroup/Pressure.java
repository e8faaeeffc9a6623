package dev.headroom.sense.cgroup;

/**
 * Pressure stall information for memory ({@code memory.pressure} or {@code /proc/pressure/memory}).
 * Averages are percentages of wall time; totals are microseconds stalled since boot or creation.
 *
 * @param source the file it was read from
 */
public record Pressure(
        double someAvg10,
        double someAvg60,
        double someAvg300,
        long someTotalMicros,
        double fullAvg10,
        double fullAvg60,
        double fullAvg300,
        long fullTotalMicros,
        String source) {
}
