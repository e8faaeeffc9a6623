package dev.headroom.publish;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Where the agent's thread leaves each tick's {@link Reading} for the publishers (gauges, MBean,
 * JFR) to read from their own threads. The agent owns one; publishers get it as a {@link Supplier}.
 */
public final class LatestReading implements Supplier<Reading> {

    private final AtomicReference<Reading> latest = new AtomicReference<>();

    public void set(Reading reading) {
        latest.set(reading);
    }

    /** The latest reading, or {@code null} before the first tick. */
    @Override
    public Reading get() {
        return latest.get();
    }
}
