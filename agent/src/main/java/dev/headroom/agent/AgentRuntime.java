package dev.headroom.agent;

import dev.headroom.config.Options;
import dev.headroom.publish.Console;
import dev.headroom.publish.EventLog;
import dev.headroom.publish.Events;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Reconciler;
import dev.headroom.sense.Sensor;
import dev.headroom.sense.Snapshot;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The agent's one thread: parses the options, then samples every {@code interval} and hands
 * each snapshot down the stages (sense, reconcile, then forecast, act, publish).
 */
final class AgentRuntime implements Runnable {

    private final Instrumentation instrumentation;
    private final String how;

    private final Options options;
    private Console console;
    private EventLog eventLog = EventLog.none();
    private Sensor sensor;
    private ProblemReporter problems;
    private long lastSnapshotEvent;
    private long lastNmtRead;
    private boolean eventLogFailed;

    AgentRuntime(Options options, Instrumentation instrumentation, String how) {
        this.options = options;
        this.instrumentation = instrumentation;
        this.how = how;
    }

    @Override
    public void run() {
        try {
            start();
            loop();
        } catch (Throwable t) {
            // A bug of ours must end the agent, never the application.
            try {
                System.err.println("headroom: stopped after an internal error: " + t);
                eventLog.write(System.currentTimeMillis(), "problem", json -> {
                    json.writeStringField("source", "agent");
                    json.writeStringField("message", "stopped after an internal error: " + t);
                });
            } catch (Throwable ignored) {
                // Nothing else to do.
            }
        }
    }

    private void start() {
        console = new Console(options.quiet());
        if (options.eventLog() != null) {
            try {
                eventLog = EventLog.open(options.eventLog());
            } catch (IOException | RuntimeException e) {
                console.say("cannot open the event log " + options.eventLog() + ": " + e + "; going on without it");
            }
        }
        problems = new ProblemReporter(console, eventLog, System::currentTimeMillis);
        sensor = new Sensor(options.procRoot(), options.cgroupRoot(), options.limitBytes(), problems);

        long now = System.currentTimeMillis();
        Snapshot first = sensor.sample(now, true);
        lastNmtRead = now;
        write(now, "start", json -> StartEvent.write(json, first, sensor, options, how));
        console.say(StartEvent.line(first));
        Startup.report(first, sensor.jvmReader().flags(), console, eventLog);
    }

    private void loop() {
        long intervalNanos = options.intervalMillis() * 1_000_000L;
        long next = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            next += intervalNanos;
            long wait;
            while ((wait = next - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            if (wait < -intervalNanos) {
                // We fell behind (a long GC pause, a suspended container): skip the missed ticks
                // rather than run them back to back.
                next = System.nanoTime();
            }
            tick();
        }
    }

    /** One sampling tick; every failure inside is caught so the next tick runs. */
    void tick() {
        try {
            long now = System.currentTimeMillis();
            boolean nmtDue = now - lastNmtRead >= options.nmtEveryMillis();
            if (nmtDue) {
                lastNmtRead = now;
            }
            Snapshot snapshot = sensor.sample(now, nmtDue);
            Breakdown breakdown = Reconciler.reconcile(snapshot);
            if (now - lastSnapshotEvent >= options.snapshotEveryMillis()) {
                lastSnapshotEvent = now;
                write(now, "snapshot", json -> Events.snapshot(json, snapshot, breakdown));
            }
        } catch (RuntimeException | LinkageError e) {
            problems.report("tick", "a tick failed: " + e);
        }
    }

    private void write(long now, String event, EventLog.Body body) {
        IOException failure = eventLog.write(now, event, body);
        if (failure != null && !eventLogFailed) {
            eventLogFailed = true;
            console.say("cannot write the event log " + eventLog.path() + ": " + failure + " (reported once)");
        }
    }

    Map<String, String> effectiveOptions() {
        return options.effective();
    }
}
