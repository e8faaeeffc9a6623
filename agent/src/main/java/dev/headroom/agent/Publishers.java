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

    static final Publishers NONE = new Publishers(null, null, null, line -> { });

    private final MicrometerBridge bridge;
    private final HeadroomJmx jmx;
    private final Consumer<String> report;
    /** Set to {@code null} (on the agent's thread) once JFR failed: said once, then left alone. */
    private FlightEvents jfr;

    private Publishers(MicrometerBridge bridge, HeadroomJmx jmx, FlightEvents jfr, Consumer<String> report) {
        this.bridge = bridge;
        this.jmx = jmx;
        this.jfr = jfr;
        this.report = report;
    }

    /**
     * @param bridge the Micrometer bridge, installed first thing on the agent's thread ({@code null}
     *               when off): its transformer should be in place before the application's
     *               registries are built
     */
    static Publishers start(Options options, Supplier<Reading> readings, HeadroomOperations operations,
                            Consumer<String> report, MicrometerBridge bridge) {
        RuntimeModules modules = RuntimeModules.boot();
        HeadroomJmx jmx = null;
        // A missing module was said once at start (RuntimeModules.missing()); not again here.
        if (options.outputs().jmx() && modules.has(RuntimeModules.MANAGEMENT)) {
            try {
                jmx = HeadroomJmx.register(readings, operations, report);
            } catch (LinkageError e) {
                // A runtime without java.management (jlink, --limit-modules): HeadroomJmx itself
                // cannot be linked (its catch clauses name javax.management types).
                report.accept("JMX: no MBean registered: this runtime has no java.management module (" + e + ")");
            }
        }
        FlightEvents jfr = null;
        if (options.outputs().jfr() && modules.has(RuntimeModules.JFR)) {
            try {
                // FlightEvents links without jdk.jfr; its event classes do not. Ask for JFR's
                // base class here so a runtime without it is told once, not failed every tick
                // (found by FaultJdkIT with --limit-modules: every tick ended in NoClassDefFoundError).
                Class.forName("jdk.jfr.Event", false, ClassLoader.getSystemClassLoader());
                jfr = new FlightEvents();
            } catch (ClassNotFoundException | LinkageError e) {
                // A JDK without the jdk.jfr module: the other publishers go on.
                report.accept("JFR events are off: " + e);
            }
        }
        return new Publishers(bridge, jmx, jfr, report);
    }

    /** Called once per tick with the new reading. */
    void tick(Reading reading) {
        FlightEvents events = jfr;
        if (events != null) {
            try {
                events.snapshot(reading);
            } catch (RuntimeException | LinkageError e) {
                jfrFailed(e);
            }
        }
        if (bridge != null) {
            bridge.tick();
        }
    }

    /**
     * Called on a tick that only looked: the Micrometer bridge binds a registry that arrived (it
     * publishes the last full reading), nothing else runs.
     */
    void quickTick() {
        if (bridge != null && bridge.pending()) {
            bridge.tick();
        }
    }

    @Override
    public void alert(Reading reading, String reasons) {
        FlightEvents events = jfr;
        if (events != null) {
            try {
                events.warning(reading, reasons);
            } catch (RuntimeException | LinkageError e) {
                jfrFailed(e);
            }
        }
    }

    @Override
    public void heapDump(HeapDumpResult result, boolean live) {
        FlightEvents events = jfr;
        if (events != null && result.path() != null && result.bytes() >= 0) {
            try {
                events.heapDump(result.path().toString(), result.bytes(), Duration.ofMillis(result.millis()), live);
            } catch (RuntimeException | LinkageError e) {
                jfrFailed(e);
            }
        }
    }

    /** A publisher failing must not cut the tick short (the snapshot event comes after it). */
    private void jfrFailed(Throwable e) {
        jfr = null;
        report.accept("JFR events are off: " + e);
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
