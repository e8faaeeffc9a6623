package dev.headroom.agent;

import dev.headroom.act.ClassHistogram;
import dev.headroom.act.CommandHook;
import dev.headroom.act.Decision;
import dev.headroom.act.EvidenceDirectory;
import dev.headroom.act.HeapDumper;
import dev.headroom.act.Level;
import dev.headroom.act.NmtEvidence;
import dev.headroom.act.Policy;
import dev.headroom.act.PolicySettings;
import dev.headroom.act.Relief;
import dev.headroom.act.flight.FlightFile;
import dev.headroom.act.flight.PreviousRun;
import dev.headroom.act.flight.RewriteCadence;
import dev.headroom.act.flight.TerminationLog;
import dev.headroom.config.Options;
import dev.headroom.forecast.Forecast;
import dev.headroom.forecast.ForecastSettings;
import dev.headroom.forecast.Forecaster;
import dev.headroom.forecast.History;
import dev.headroom.publish.Console;
import dev.headroom.publish.EventLog;
import dev.headroom.publish.Events;
import dev.headroom.publish.LatestReading;
import dev.headroom.publish.Reading;
import dev.headroom.publish.micrometer.MicrometerBridge;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Reconciler;
import dev.headroom.report.Bytes;
import dev.headroom.sense.Sensor;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.jvm.OwnHeap;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The agent's one thread: samples every {@code interval} and hands each snapshot down the
 * stages — sense, reconcile, forecast, act, publish — and leaves the last words (flight file,
 * termination log) that survive a SIGKILL.
 */
final class AgentRuntime implements Runnable {

    /**
     * How often the agent measures itself (its retained heap, its loaded classes): a walk of its
     * objects costs a few milliseconds (code run this rarely stays interpreted), and what it holds
     * is bounded by its settings, so every few minutes is plenty. The first measurement is at start,
     * the second after {@link #FOOTPRINT_FIRST_MILLIS}, when the flight file's history is full.
     */
    static final long FOOTPRINT_EVERY_MILLIS = 300_000;

    /** See {@link #FOOTPRINT_EVERY_MILLIS}. */
    static final long FOOTPRINT_FIRST_MILLIS = 130_000;

    private final Options options;
    private final Instrumentation instrumentation;
    private final String how;
    private final LatestReading latest;
    private final MicrometerBridge bridge;

    private Console console;
    private EventLog eventLog = EventLog.none();
    private Sensor sensor;
    private ProblemReporter problems;
    private History history;
    private ForecastSettings forecastSettings;
    private Policy policy;
    private Responder responder;
    private FlightFile flightFile;
    private TerminationLog terminationLog;
    private Publishers publishers = Publishers.NONE;
    private long lastSnapshotEvent;
    private long lastNmtRead;
    private OwnHeap ownHeap;
    private long lastFootprint;
    private long footprintEvery = FOOTPRINT_FIRST_MILLIS;
    private final RewriteCadence flightCadence = RewriteCadence.defaults();
    private boolean eventLogFailed;
    private boolean flightFileFailed;

    AgentRuntime(Options options, Instrumentation instrumentation, String how, LatestReading latest,
                 MicrometerBridge bridge) {
        this.options = options;
        this.instrumentation = instrumentation;
        this.how = how;
        this.latest = latest;
        this.bridge = bridge;
    }

    @Override
    public void run() {
        try {
            start();
            loop();
        } catch (Throwable t) {
            // A bug of ours must end the agent, never the application.
            try {
                String message = "stopped after an internal error: " + t + where(t);
                System.err.println("headroom: " + message);
                eventLog.write(System.currentTimeMillis(), "problem", json -> {
                    json.writeStringField("source", "agent");
                    json.writeStringField("message", message);
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

        ownHeap = new OwnHeap(instrumentation);
        long now = System.currentTimeMillis();
        Snapshot first = sensor.sample(now, true);
        lastNmtRead = now;
        int ownClasses = ownHeap.ownClasses();
        write(now, "start", json -> StartEvent.write(json, first, sensor, options, how, ownClasses));
        console.say(StartEvent.line(first));
        String missing = RuntimeModules.boot().missing();
        if (missing != null) {
            problems.report("runtime", missing);
        }
        Startup.report(first, sensor.jvmReader().flags(), console, eventLog);

        history = new History();
        forecastSettings = ForecastSettings.defaults();
        Options.Evidence evidence = options.evidence();
        policy = new Policy(PolicySettings.defaults()
                .withIntervalSeconds(options.intervalMillis() / 1000.0)
                .withThresholds(options.policy().horizonMillis() / 1000.0, options.policy().warnShare(),
                        options.policy().criticalShare(), options.policy().cooldownMillis() / 1000.0)
                .withDumps(options.policy().dumpBytesPerSecond(), evidence.heapDump() ? evidence.maxDumps() : 0,
                        evidence.dumpIntervalMillis() / 1000.0));

        EvidenceDirectory directory = new EvidenceDirectory(options.dumpDir());
        // Made (0700) or checked now rather than at the first dump: a dump directory that cannot
        // be used should be said at start, when someone is looking, not in the last seconds.
        EvidenceDirectory.Prepared prepared = directory.prepare();
        if (!prepared.ok()) {
            problems.report("dumpDir", "heap dumps will not be possible: " + prepared.reason());
        }
        HeapDumper dumper = new HeapDumper(directory, options.procRoot(), new HeapDumper.Settings(
                evidence.dumpLive(), evidence.dumpForce(), evidence.maxDumps(), evidence.keep(), evidence.marginBytes()));
        NmtEvidence nmt = new NmtEvidence(directory, evidence.keep());
        if (nmt.enabled()) {
            // The baseline makes the NMT evidence at warning a difference from start, not just a level.
            nmt.baseline();
        }
        CommandHook hook = options.relief().hook().isEmpty() ? null
                : new CommandHook(CommandHook.split(options.relief().hook()), options.relief().hookTimeoutMillis(),
                options.relief().hookOutput());
        ClassHistogram histogram = new ClassHistogram(directory, evidence.keep());
        Relief relief = new Relief(Relief.rssFrom(options.procRoot()));
        // Dumps asked for by a person through JMX have their own allowance: the automatic one per
        // run is kept for the moment that matters. Retention (keepDumps) still bounds the files.
        HeapDumper manualDumper = new HeapDumper(directory, options.procRoot(), new HeapDumper.Settings(
                evidence.dumpLive(), evidence.dumpForce(), Math.max(1, evidence.keep()), evidence.keep(),
                evidence.marginBytes()));
        publishers = Publishers.start(options, latest,
                new Operations(manualDumper, histogram, relief, this::report),
                // Keyed by the line's first word (JMX, JFR, ...), so that one publisher's problem
                // does not silence another's: the reporter says each source once.
                line -> problems.report("publish " + firstWord(line), line), bridge);
        responder = new Responder(options, console, this::write, dumper, histogram, nmt, relief, hook, publishers);

        // The default flight file lives in the private evidence directory, made (0700) above: written
        // to directory.chosen() it landed in a shared working directory, or, when the dump
        // directory did not exist yet, created it with the umask's 0755 before the dumper could
        // make it private (found by FaultDumpIT).
        Path flightPath = options.outputs().flightFile() != null ? options.outputs().flightFile()
                : FlightFile.defaultPath(prepared.ok() ? prepared.dir() : directory.chosen());
        previousRun(now, flightPath);
        flightFile = new FlightFile(flightPath, ProcessHandle.current().pid(), now, options.outputs().flightHistory());
        terminationLog = terminationLog(options.outputs().terminationLog());

        // inspect <pid> reads the latest tick from here (InspectRequest).
        Inspection.agentRunning(() -> latest.get() == null ? null : report());
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "headroom-stop"));
        measureSelf(System.currentTimeMillis());
    }

    /** The watcher counts itself: its own retained heap and classes, carried into the next snapshots. */
    private void measureSelf(long now) {
        lastFootprint = now;
        sensor.jvmReader().agentFootprint(ownHeap.measure(now, this));
    }

    private void previousRun(long now, Path flightPath) {
        PreviousRun previous = PreviousRun.read(flightPath);
        if (!previous.found()) {
            return;
        }
        write(now, "previousRun", json -> {
            json.writeBooleanField("endedAbruptly", previous.endedAbruptly());
            json.writeNumberField("pid", previous.pid());
            json.writeStringField("lastTime", previous.lastTime() == null ? null : previous.lastTime().toString());
            Events.bytes(json, "lastWorkingSetBytes", previous.lastWorkingSetBytes());
            Events.bytes(json, "lastLimitBytes", previous.lastLimitBytes());
            json.writeStringField("lastLevel", previous.lastLevel());
            if (Double.isFinite(previous.percentOfLimit())) {
                json.writeNumberField("percentOfLimit", Responder.round(previous.percentOfLimit()));
            }
            json.writeStringField("reason", previous.reason());
        });
        if (previous.endedAbruptly()) {
            console.say(String.format(Locale.ROOT,
                    "the previous run (pid %d) ended abruptly at %s with its working set at %.0f%% of the limit (%s)",
                    previous.pid(), previous.lastTime(), previous.percentOfLimit(),
                    Bytes.human(previous.lastWorkingSetBytes())));
        }
    }

    private TerminationLog terminationLog(String setting) {
        if ("off".equals(setting)) {
            return null;
        }
        if ("auto".equals(setting)) {
            return TerminationLog.inKubernetes(System.getenv()) ? new TerminationLog(TerminationLog.DEFAULT_PATH) : null;
        }
        return new TerminationLog(Path.of(setting));
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
                // We fell behind (a long GC pause, a suspended container, a heap dump): skip the
                // missed ticks rather than run them back to back.
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
            if (now - lastFootprint >= footprintEvery || now < lastFootprint) {
                measureSelf(now);
                footprintEvery = FOOTPRINT_EVERY_MILLIS;
            }
            Snapshot snapshot = sensor.sample(now, nmtDue);
            Breakdown breakdown = Reconciler.reconcile(snapshot);
            history.add(snapshot, breakdown);
            Forecast forecast = Forecaster.forecast(history, forecastSettings);
            Decision decision = policy.decide(forecast, snapshot, breakdown);

            // Last words first: if the kill comes during the dump, the flight file already says why.
            lastWords(snapshot, breakdown, forecast, decision);
            responder.act(snapshot, breakdown, forecast, decision);

            Reading reading = new Reading(snapshot, breakdown, forecast, decision.level(), responder.dumpsWritten());
            latest.set(reading);
            publishers.tick(reading);
            if (now - lastSnapshotEvent >= options.snapshotEveryMillis() || decision.changed()) {
                lastSnapshotEvent = now;
                write(now, "snapshot", json -> {
                    Events.snapshot(json, snapshot, breakdown);
                    Events.forecast(json, forecast, decision.level());
                });
            }
        } catch (RuntimeException | LinkageError e) {
            problems.report("tick", "a tick failed: " + e + where(e));
        }
    }

    private void lastWords(Snapshot s, Breakdown b, Forecast f, Decision d) {
        boolean rewrite = flightCadence.due(s.epochMillis(), d.level(), d.changed(), s.workingSetBytes(), s.limitBytes());
        IOException failure = flightFile.update(s, b, f, d.level(), rewrite);
        if (failure != null && !flightFileFailed) {
            flightFileFailed = true;
            problems.report("flightFile", "cannot write " + flightFile.path() + ": " + failure);
        }
        if (terminationLog != null && (d.changed() || d.level() == Level.CRITICAL)) {
            String dump = responder.lastDumpPath();
            IOException t = terminationLog.update(s, b, f, d.level(), dump == null ? null : Path.of(dump));
            if (t != null) {
                problems.report("terminationLog", "cannot write " + terminationLog.path() + ": " + t);
            }
        }
    }

    /**
     * Where an unexpected failure came from: the first frame of ours, so that the one line a user
     * can paste into a bug report says more than the exception's name.
     */
    static String where(Throwable t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            if (frame.getClassName().startsWith("dev.headroom.") && !frame.getClassName().startsWith("dev.headroom.shaded.")) {
                return " (at " + frame + ")";
            }
        }
        return "";
    }

    private static String firstWord(String line) {
        int end = 0;
        while (end < line.length() && Character.isLetterOrDigit(line.charAt(end))) {
            end++;
        }
        return line.substring(0, end);
    }

    /** The reconciliation of the latest reading as text (the MBean's {@code report()}). */
    String report() {
        Reading r = latest.get();
        if (r == null) {
            return "no reading yet";
        }
        return dev.headroom.report.ReconciliationTable.render(r.breakdown(),
                Startup.budget(r.snapshot(), sensor.jvmReader().flags()));
    }

    /** At a clean exit: the flight file says so, and the event log ends with {@code stop}. */
    private void stop() {
        try {
            long now = System.currentTimeMillis();
            if (flightFile != null) {
                flightFile.markEnded("exit");
            }
            publishers.close();
            write(now, "stop", json -> json.writeStringField("reason", "exit"));
            eventLog.close();
        } catch (Throwable ignored) {
            // The JVM is going away; nothing may delay or disturb that.
        }
    }

    private void write(long now, String event, EventLog.Body body) {
        IOException failure = eventLog.write(now, event, body);
        if (failure != null && !eventLogFailed) {
            eventLogFailed = true;
            console.say("cannot write the event log " + eventLog.path() + ": " + failure + " (reported once)");
        }
    }
}
