package dev.headroom.agent;

import dev.headroom.publish.Console;
import dev.headroom.publish.EventLog;
import dev.headroom.sense.Sensor;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Reports a failing source once, as one stderr line and one {@code problem} event, instead of once
 * a tick: a cgroup file that vanished would otherwise fill the application's log every second.
 */
final class ProblemReporter implements Sensor.Problems {

    private final Console console;
    private final EventLog eventLog;
    private final LongSupplier clock;
    private final Map<String, Integer> seen = new HashMap<>();

    ProblemReporter(Console console, EventLog eventLog, LongSupplier clock) {
        this.console = console;
        this.eventLog = eventLog;
        this.clock = clock;
    }

    @Override
    public synchronized void report(String source, String message) {
        int count = seen.merge(source, 1, Integer::sum);
        if (count > 1) {
            return;
        }
        write(source, message);
    }

    /**
     * For a source that already says each of its problems once (the Micrometer bridge, which has
     * several distinct ones): every message is written.
     */
    synchronized void reportEach(String source, String message) {
        write(source, message);
    }

    private void write(String source, String message) {
        console.say(source + ": " + message + " (reported once; the agent goes on)");
        eventLog.write(clock.getAsLong(), "problem", json -> {
            json.writeStringField("source", source);
            json.writeStringField("message", message);
        });
    }
}
