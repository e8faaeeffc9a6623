package dev.headroom.config;

import java.util.EnumMap;
import java.util.Map;

/**
 * The sane range of every numeric option. A value outside it is refused with the range in the
 * message: {@code interval=200000d} was once accepted, and the interval in nanoseconds then
 * overflowed a {@code long} and the agent's thread spun a core. The bounds are what a person could
 * mean, not what the arithmetic survives; docs/configuration.md lists them (checked by a test).
 */
public final class Ranges {

    private static final long SECOND = 1_000;
    private static final long HOUR = 3_600 * SECOND;
    private static final long DAY = 24 * HOUR;
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long TIB = 1024 * 1024 * MIB;

    /**
     * @param min  the least value accepted, in the option's base unit (milliseconds, bytes, a count)
     * @param max  the greatest
     * @param text the range as a person writes it, e.g. {@code from 10ms to 1h}
     */
    public record Range(long min, long max, String text) {
        public boolean contains(long value) {
            return value >= min && value <= max;
        }
    }

    private static final Map<Key, Range> RANGES = new EnumMap<>(Key.class);

    static {
        RANGES.put(Key.INTERVAL, new Range(10, HOUR, "from 10ms to 1h"));
        RANGES.put(Key.SNAPSHOT_EVERY, new Range(0, DAY, "from 0s (every tick) to 1d"));
        RANGES.put(Key.NMT_EVERY, new Range(0, DAY, "from 0s (every tick) to 1d"));
        RANGES.put(Key.HORIZON, new Range(0, 7 * DAY, "from 0s to 7d"));
        RANGES.put(Key.COOLDOWN, new Range(0, DAY, "from 0s to 1d"));
        RANGES.put(Key.DUMP_INTERVAL, new Range(0, 30 * DAY, "from 0s to 30d"));
        RANGES.put(Key.HOOK_TIMEOUT, new Range(10, HOUR, "from 10ms to 1h"));
        RANGES.put(Key.BUDGET_WARMUP, new Range(0, DAY, "from 0s to 1d"));
        RANGES.put(Key.LIMIT, new Range(MIB, 1024 * TIB, "from 1m to 1024t"));
        RANGES.put(Key.DUMP_MARGIN, new Range(0, 1024 * TIB, "from 0 to 1024t"));
        RANGES.put(Key.DUMP_SPEED, new Range(KIB, 1024 * TIB, "from 1k to 1024t (bytes per second)"));
        RANGES.put(Key.SOFT_MAX_HEAP_SIZE, new Range(MIB, 1024 * TIB, "from 1m to 1024t"));
        RANGES.put(Key.MAX_DUMPS, new Range(0, 1000, "from 0 to 1000"));
        RANGES.put(Key.KEEP_DUMPS, new Range(0, 1000, "from 0 to 1000"));
        // 3600 samples of ~300 bytes stay well under the 4 MiB a previous flight file may have.
        RANGES.put(Key.FLIGHT_HISTORY, new Range(1, 3600, "from 1 to 3600"));
    }

    private Ranges() {
    }

    /** The range of a numeric option; {@code null} for the others. */
    public static Range of(Key key) {
        return RANGES.get(key);
    }
}
