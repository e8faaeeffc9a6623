package dev.headroom.agent;

import dev.headroom.act.HeapDumpResult;
import dev.headroom.config.Options;
import dev.headroom.publish.Reading;
import dev.headroom.publish.jfr.FlightEvents;
import dev.headroom.publish.jmx.HeadroomJmx;
import dev.headroom.publish.jmx.HeadroomOperations;
import dev.headroom.publish.micrometer.MicrometerBridge;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The publishers beyond the event log — the JMX MBean, JFR events and the Micrometer bridge —
 * each on only when its option is, each failing on its own without touching the others.
 */
final class Publishers implements Responder.Moments {

    static final Publishers NONE = new Publishers(null, null, null);

    private final MicrometerBridge bridge;
    private final HeadroomJmx jmx;
    private final FlightEvents jfr;

    private Publishers(MicrometerBridge bridge, HeadroomJmx jmx, FlightEvents jfr) {
        this.bridge = bridge;
        this.jmx = jmx;
        this.jfr = jfr;
    }

    /**
     * @param bridge the Micrometer bridge installed at premain ({@code null} when off): its
     *               transformer had to be in place before the application loaded Micrometer
     */
    static Publishers start(Options options, Supplier<Reading> readings, HeadroomOperations operations,
                            Consumer<String> report, MicrometerBridge bridge) {
        HeadroomJmx jmx = options.outputs().jmx() ? HeadroomJmx.register(readings, operations, report) : null;
        FlightEvents jfr = null;
        if (options.outputs().jfr()) {
            try {
                jfr = new FlightEvents();
            } catch (LinkageError e) {
                // A JDK without the jdk.jfr module: the other publishers go on.
                report.accept("JFR events are off: " + e);
            }
        }
        return new Publishers(bridge, jmx, jfr);
    }

    /** Called once per tick with the new reading. */
    void tick(Reading reading) {
        if (jfr != null) {
            jfr.snapshot(reading);
        }
        if (bridge != null) {
            bridge.tick();
        }
    }

    @Override
    public void alert(Reading reading, String reasons) {
        if (jfr != null) {
            jfr.warning(reading, reasons);
        }
    }

    @Override
    public void heapDump(HeapDumpResult result, boolean live) {
        if (jfr != null && result.path() != null && result.bytes() >= 0) {
            jfr.heapDump(result.path().toString(), result.bytes(), Duration.ofMillis(result.millis()), live);
        }
    }

    void close() {
        if (bridge != null) {
            bridge.close();
        }
        if (jmx != null) {
            jmx.unregister();
        }
    }
}
