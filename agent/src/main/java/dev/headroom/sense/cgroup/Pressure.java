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

    /** The words the readers append to {@link #source} when the cgroup has no PSI file of its own. */
    public static final String HOST_WIDE = " (host-wide)";

    /**
     * Whether this is the whole host's pressure ({@code /proc/pressure/memory}) rather than the
     * cgroup's own: on cgroup v1, or v2 without {@code memory.pressure}. Stalls anywhere on the
     * host show in it, e.g. another container's OOM kill, so it says nothing certain about ours.
     */
    public boolean hostWide() {
        return source != null && source.endsWith(HOST_WIDE);
    }
}
