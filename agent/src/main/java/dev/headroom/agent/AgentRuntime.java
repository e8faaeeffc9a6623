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
import dev.headroom.act.SamplingCadence;
import dev.headroom.act.Relief;
import dev.headroom.act.flight.FlightFile;
import dev.headroom.act.flight.EndCause;
import dev.headroom.act.flight.PreviousRun;
import dev.headroom.sense.cgroup.CgroupMemoryReader;
import dev.headroom.sense.cgroup.EventsNotice;
import dev.headroom.sense.cgroup.OomKillCounter;
import dev.headroom.act.flight.RewriteCadence;
import dev.headroom.act.flight.TerminationLog;
import dev.headroom.config.Options;
import dev.headroom.forecast.Forecast;
import dev.headroom.forecast.ForecastSettings;
import dev.headroom.forecast.Forecaster;
import dev.headroom.forecast.History;
import dev.headroom.io.IsolatedWriter;
import dev.headroom.publish.Console;
import dev.headroom.publish.EventLog;
import dev.headroom.publish.Events;
import dev.headroom.publish.LatestReading;
import dev.headroom.publish.Reading;
import dev.headroom.publish.micrometer.MicrometerBridge;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Budget;
import dev.headroom.reconcile.BudgetCadence;
import dev.headroom.reconcile.MeasuredBudget;
import dev.headroom.reconcile.PartCatalogue;
import dev.headroom.reconcile.SizingPeaks;
import dev.headroom.reconcile.Reconciler;
import dev.headroom.report.Bytes;
import dev.headroom.sense.Sensor;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.jvm.JvmFlags;
import dev.headroom.sense.jvm.OwnHeap;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    private final BridgeReports bridgeReports;

    private Console console;
    private EventLog eventLog = EventLog.none();
    private Sensor sensor;
    private CgroupMemoryReader oomCounterReader;
    private CgroupMemoryReader noticeReader;
    private EventsNotice notice;
    private volatile Thread loopThread;
    private volatile boolean eventsChanged;
    private OomKillCounter oomCounter;
    private ProblemReporter problems;
    private History history;
    private ForecastSettings forecastSettings;
    private Policy policy;
    private Responder responder;
    // Volatile: set after the exit hook was registered, read by it.
    private volatile FlightFile flightFile;
    private volatile TerminationLog terminationLog;
    private volatile Publishers publishers = Publishers.NONE;
    private long lastSnapshotEvent;
    private long lastNmtRead;
    private OwnHeap ownHeap;
    private long lastFootprint;
    private long footprintEvery = FOOTPRINT_FIRST_MILLIS;
    private final RewriteCadence flightCadence = RewriteCadence.defaults();
    private final SamplingCadence cadence = new SamplingCadence();
    /**
     * The C1-only directive for the agent's code (option lightJit) is added this long after start,
     * on the agent's thread: off the application's start, long before C2 would compile any of it.
     */
    static final long LIGHT_JIT_AFTER_MILLIS = 10_000;
    private boolean jitPending;
    /** The last full tick's sample, which a quick tick adds to the history again at its own time. */
    private Snapshot lastFullSnapshot;
    private Breakdown lastFullBreakdown;
    private long startMillis;
    /** Ticks that only looked at the cgroup's usage, and those that read everything (self-measure). */
    private long quickTicks;
    private long fullTicks;
    /** Volatile: the evidence thread writes events too. */
    private volatile boolean eventLogFailed;
    private IsolatedWriter evidenceWork;
    private IsolatedWriter dumpChecks;
    private Path evidenceDir;
    private boolean flightFileFailed;
    private final SizingPeaks peaks = new SizingPeaks();
    private BudgetCadence budgetCadence;
    private volatile MeasuredBudget measuredBudget;
    private volatile Snapshot lastReadingSnapshot;

    AgentRuntime(Options options, Instrumentation instrumentation, String how, LatestReading latest,
                 MicrometerBridge bridge, BridgeReports bridgeReports) {
        this.bridgeReports = bridgeReports;
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
                if (bridgeReports != null) {
                    bridgeReports.flushToStderr();
                }
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
            EventLog.Opening opening = EventLog.openWithin(options.eventLog(), FILE_SYSTEM_WAIT_MILLIS);
            if (opening.failure() != null) {
                console.say("cannot open the event log " + options.eventLog() + ": " + describe(opening.failure())
                        + "; going on without it");
            } else {
                eventLog = opening.log();
                if (opening.late()) {
                    console.say("the event log " + options.eventLog() + " has not opened within "
                            + FILE_SYSTEM_WAIT_MILLIS + " ms (a hung file system?); its lines wait for it, and the agent"
                            + " goes on watching");
                }
            }
        }
        problems = new ProblemReporter(console, eventLog, System::currentTimeMillis);
        // Registered as soon as the log is open: its lines are written by its own thread, and an
        // application that ends while the agent is still starting must not take the queued ones
        // with it (stop() drains them, within its bound).
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "headroom-stop"));
        if (bridgeReports != null) {
            bridgeReports.ready(problems);
        }
        sensor = new Sensor(options.procRoot(), options.cgroupRoot(), options.limitBytes(), problems);

        ownHeap = new OwnHeap(instrumentation);
        long now = System.currentTimeMillis();
        startMillis = now;
        jitPending = options.lightJit();
        Snapshot first = sensor.sample(now, true);
        lastNmtRead = now;
        int ownClasses = ownHeap.ownClasses();
        write(now, "start", json -> StartEvent.write(json, first, sensor, options, how, ownClasses));
        EvidenceDirectory directory = new EvidenceDirectory(options.dumpDir());
        // Made (0700) or checked now rather than at the first dump: a dump directory that cannot
        // be used should be said at start, when someone is looking, not in the last seconds. On the
        // evidence thread, as every later look there: a dump directory on a hung file system holds
        // that thread, not the start (issue 12).
        evidenceWork = IsolatedWriter.named("headroom-evidence", EVIDENCE_QUEUE);
        dumpChecks = IsolatedWriter.named("headroom-evidence-check", 2);
        evidenceDir = directory.chosen();
        EvidenceDirectory.Prepared[] places = evidencePlaces(directory);
        boolean evidenceLate = places == null;
        EvidenceDirectory.Prepared notAnswering = new EvidenceDirectory.Prepared(null, "the dump directory under "
                + directory.chosen() + " has not answered within " + FILE_SYSTEM_WAIT_MILLIS + " ms");
        EvidenceDirectory.Prepared prepared = evidenceLate ? notAnswering : places[0];
        EvidenceDirectory.Prepared small = evidenceLate ? notAnswering : places[1];
        // The default flight file lives in the private evidence directory, made (0700) above: written
        // to directory.chosen() it landed in a shared working directory, or, when the dump
        // directory did not exist yet, created it with the umask's 0755 before the dumper could
        // make it private (found by FaultDumpIT). When no private directory can be had it is off,
        // never put into the directory that was refused, which may be shared (issue 12).
        Path flightPath = options.outputs().flightFile() != null ? options.outputs().flightFile()
                : small.ok() ? FlightFile.defaultPath(small.dir()) : null;
        // An explicit flight file in a directory others can write: its temp file and rename there
        // could be raced, and the previous run's file there could be anybody's. Left unwritten.
        String sharedFlight = options.outputs().flightFile() == null ? null
                : dev.headroom.io.GuardedFile.sharedBy(flightPath.toAbsolutePath().getParent());
        if (sharedFlight != null) {
            flightPath = null;
        }
        Budget budget = Startup.budget(first, sensor.jvmReader().flags());
        console.say(StartEvent.line(first) + "; " + budget.expected().words() + "; "
                + whereEvidenceGoes(prepared, small, flightPath));
        String missing = RuntimeModules.boot().missing();
        if (missing != null) {
            problems.report("runtime", missing);
        }
        Startup.report(first, budget, console, eventLog);
        budgetCadence = new BudgetCadence(now, options.outputs().budgetWarmupMillis());

        history = new History();
        // Parts the JVM caps grow only to their caps: beyond them it throws an OutOfMemoryError of
        // its own, and the forecast stops their growth there.
        JvmFlags flags = sensor.jvmReader().flags();
        history.setCeiling(PartCatalogue.DIRECT_BUFFERS, flags.effectiveMaxDirectMemory());
        history.setCeiling(PartCatalogue.METASPACE, flags.maxMetaspace());
        history.setCeiling(PartCatalogue.CODE_CACHE, flags.reservedCodeCacheSize());
        forecastSettings = ForecastSettings.defaults();
        Options.Evidence evidence = options.evidence();
        HeapDumper.Compression compression = HeapDumper.Compression.of(evidence.dumpCompress());
        // Always compressed: the policy starts the dump as much earlier as a gzip dump takes longer.
        long dumpSpeed = compression == HeapDumper.Compression.GZIP
                ? (long) Math.min(options.policy().dumpBytesPerSecond(), HeapDumper.GZIP_BYTES_PER_SECOND)
                : options.policy().dumpBytesPerSecond();
        policy = new Policy(PolicySettings.defaults()
                .withIntervalSeconds(options.intervalMillis() / 1000.0)
                .withThresholds(options.policy().horizonMillis() / 1000.0, options.policy().warnShare(),
                        options.policy().criticalShare(), options.policy().cooldownMillis() / 1000.0)
                .withDumps(dumpSpeed, evidence.heapDump() ? evidence.maxDumps() : 0,
                        evidence.dumpIntervalMillis() / 1000.0));

        if (evidenceLate) {
            problems.report("dumpDir", notAnswering.reason() + " (a hung file system?): evidence waits for it, a heap"
                    + " dump is skipped while it does not answer, and the agent goes on watching");
        } else if (!prepared.ok()) {
            problems.report("dumpDir", "heap dumps will not be possible: " + prepared.reason());
        }
        HeapDumper dumper = new HeapDumper(directory, options.procRoot(), new HeapDumper.Settings(
                evidence.dumpLive(), evidence.dumpForce(), evidence.maxDumps(), evidence.keep(), evidence.marginBytes(),
                compression));
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
                evidence.marginBytes(), compression));
        publishers = Publishers.start(options, latest,
                new Operations(manualDumper, histogram, relief, this::report),
                // Keyed by the line's first word (JMX, JFR, ...), so that one publisher's problem
                // does not silence another's: the reporter says each source once.
                line -> problems.report("publish " + firstWord(line), line), bridge);
        responder = new Responder(options, console, this::write, evidenceWork, dumpChecks, dumper, histogram, nmt,
                relief, hook, publishers);

        if (sharedFlight != null) {
            problems.report("flightFile", "not writing the flight file " + options.outputs().flightFile() + ": "
                    + sharedFlight);
        }
        if (flightPath != null) {
            IsolatedWriter flightWriter = FlightFile.writer();
            previousRun(now, flightPath, flightWriter);
            flightFile = new FlightFile(flightPath, ProcessHandle.current().pid(), now, options.outputs().flightHistory(),
                    flightWriter);
        }
        terminationLog = terminationLog(options.outputs().terminationLog());
        String hookOutputRefusal = hook == null ? null : hookOutputRefusal(hook);
        if (hookOutputRefusal != null) {
            problems.report("hookOutput", "the hook's output will be discarded: " + hookOutputRefusal);
        }

        // inspect <pid> reads the latest tick from here (InspectRequest).
        Inspection.agentRunning(() -> latest.get() == null ? null : report());
        measureSelf(System.currentTimeMillis());
    }

    /** The watcher counts itself: its own retained heap and classes, carried into the next snapshots. */
    private void measureSelf(long now) {
        lastFootprint = now;
        sensor.jvmReader().agentFootprint(ownHeap.measure(now, this));
    }

    /** The second half of the start line: where the evidence and the flight file will go. */
    static String whereEvidenceGoes(EvidenceDirectory.Prepared dumps, EvidenceDirectory.Prepared small, Path flight) {
        String flightText = flight == null ? "no flight file (no private directory for it)" : "flight file " + flight;
        if (dumps.ok()) {
            return "evidence to " + dumps.dir() + ", " + flightText;
        }
        return "no heap dumps (see below), "
                + (small.ok() ? "histograms to " + small.dir() : "no histograms") + ", " + flightText;
    }

    /** The OOM-kill counter of the cgroup read now, found again when the sensor's reader changes. */
    private OomKillCounter oomKillCounter() {
        CgroupMemoryReader reader = sensor.cgroupReader();
        if (reader != oomCounterReader) {
            oomCounterReader = reader;
            oomCounter = reader == null ? null : OomKillCounter.of(reader);
        }
        return oomCounter;
    }

    private void previousRun(long now, Path flightPath, IsolatedWriter flightWriter) {
        reportPreviousRun(now, readPreviousRun(flightPath, flightWriter));
    }

    /**
     * A read of the previous run's flight file that outlasted the start's wait: reported by the
     * first tick after it ends, on the tick's thread (the OOM-kill counter is the sensor's).
     */
    private CompletableFuture<PreviousRun> latePreviousRun;

    private void latePreviousRun(long now) {
        CompletableFuture<PreviousRun> late = latePreviousRun;
        if (late != null && late.isDone()) {
            latePreviousRun = null;
            reportPreviousRun(now, late.getNow(null));
        }
    }

    private void reportPreviousRun(long now, PreviousRun previous) {
        if (previous == null || !previous.found()) {
            return;
        }
        OomKillCounter counter = oomKillCounter();
        String counterFile = counter == null ? null : counter.file().toString();
        long countNow = counter == null ? -1 : counter.read();
        EndCause cause = EndCause.of(previous, counterFile, counter == null ? -1 : counter.cgroupId(), countNow);
        write(now, "previousRun", json -> {
            json.writeBooleanField("endedAbruptly", previous.endedAbruptly());
            json.writeStringField("endedBy", cause.word());
            json.writeStringField("oomKillFile", previous.oomKillFile());
            Events.bytes(json, "oomKillsThen", previous.oomKills());
            Events.bytes(json, "oomKillsNow", counterFile != null && counterFile.equals(previous.oomKillFile())
                    ? countNow : -1);
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
            String how = switch (cause) {
                case OOM_KILL -> "was OOM-killed (" + previous.oomKillFile() + " oom_kill " + previous.oomKills()
                        + " -> " + countNow + ")";
                case OTHER_KILL -> "was killed, not by the OOM killer (" + previous.oomKillFile() + " oom_kill stayed "
                        + countNow + ")";
                default -> "ended abruptly";
            };
            console.say(String.format(Locale.ROOT,
                    "the previous run (pid %d) %s at %s with its working set at %.0f%% of the limit (%s)",
                    previous.pid(), how, previous.lastTime(), previous.percentOfLimit(),
                    Bytes.human(previous.lastWorkingSetBytes())));
        }
    }

    /**
     * The previous run's flight file, read on the flight file's own thread, before any rewrite
     * there: a hung file system under it holds that thread, and the start waits for it at most
     * {@link #PREVIOUS_RUN_WAIT_MILLIS}, then goes on without it ({@code null}).
     */
    private PreviousRun readPreviousRun(Path flightPath, IsolatedWriter flightWriter) {
        CompletableFuture<PreviousRun> read = new CompletableFuture<>();
        flightWriter.offer(() -> read.complete(PreviousRun.read(flightPath)));
        try {
            return read.get(PREVIOUS_RUN_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Its own source: the reporter says each source once, and the watchdog's flightFile line follows.
            problems.report("previousRun", "the previous run's flight file " + flightPath + " was not read within "
                    + PREVIOUS_RUN_WAIT_MILLIS + " ms (a hung file system, or a slow machine?); going on, and telling"
                    + " of the previous run when the read ends");
            // Not dropped: on a slow machine (measured: single-threaded TCG, where the flight thread's
            // first Jackson read took longer) the read ends a little later, and the event is due then.
            latePreviousRun = read.exceptionally(failure -> null);
            return null;
        } catch (ExecutionException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The dump directory and the place for small evidence, made or checked on the evidence thread;
     * {@code null} when that did not end within {@link #FILE_SYSTEM_WAIT_MILLIS}.
     */
    private EvidenceDirectory.Prepared[] evidencePlaces(EvidenceDirectory directory) {
        try {
            return dumpChecks.call(() -> new EvidenceDirectory.Prepared[] {directory.prepare(), directory.prepareSmall()})
                    .get(FILE_SYSTEM_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            // prepare() never throws; an Error (out of memory) on the thread is the same as no answer.
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * The hook's output file opened once at start, to say now if it cannot be used: on a thread of
     * its own, waited for {@link #FILE_SYSTEM_WAIT_MILLIS} at most. Each hook run opens it again on
     * its own copying thread.
     */
    private String hookOutputRefusal(CommandHook hook) {
        IsolatedWriter check = IsolatedWriter.named("headroom-hook-check", 1);
        try {
            return check.call(hook::outputRefusal).get(FILE_SYSTEM_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return "it has not opened within " + FILE_SYSTEM_WAIT_MILLIS + " ms (a hung file system?); each hook run's"
                    + " output waits for it on a thread of its own";
        } catch (ExecutionException e) {
            return String.valueOf(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            check.finish();
        }
    }

    /**
     * How long the start waits for a file system to answer (the event log's open, the dump
     * directory's check): locally these take well under a millisecond, and a hung network file
     * system would answer never.
     */
    static final long FILE_SYSTEM_WAIT_MILLIS = 2_000;

    /** Evidence waiting for the evidence thread: a heap dump's check, a histogram, an NMT report or two. */
    static final int EVIDENCE_QUEUE = 8;

    /** See {@link #readPreviousRun}: a local read of a few KiB takes well under a millisecond. */
    static final long PREVIOUS_RUN_WAIT_MILLIS = 2_000;

    private TerminationLog terminationLog(String setting) {
        if ("off".equals(setting)) {
            return null;
        }
        if ("auto".equals(setting)) {
            return TerminationLog.auto(System.getenv(), TerminationLog.DEFAULT_PATH, TerminationLog.writer());
        }
        return new TerminationLog(Path.of(setting), TerminationLog.writer());
    }

    private void loop() {
        long intervalNanos = options.intervalMillis() * 1_000_000L;
        // An early tick on a memory.events notice comes at most every quarter interval: under memory.high
        // throttling the counts change all the time (the kernel notifies up to 50 times a second).
        long earlyGapNanos = intervalNanos / 4;
        loopThread = Thread.currentThread();
        long next = System.nanoTime();
        long last = next - intervalNanos;
        while (!Thread.currentThread().isInterrupted()) {
            watchMemoryEvents();
            next += intervalNanos;
            long wait;
            while ((wait = next - System.nanoTime()) > 0) {
                if (eventsChanged && System.nanoTime() - last >= earlyGapNanos) {
                    eventsChanged = false;
                    last = System.nanoTime();
                    tick(true);
                    continue;
                }
                LockSupport.parkNanos(eventsChanged ? Math.min(wait, earlyGapNanos) : wait);
            }
            last = System.nanoTime();
            if (wait < -intervalNanos) {
                // We fell behind (a long GC pause, a suspended container, a heap dump): skip the
                // missed ticks rather than run them back to back.
                next = System.nanoTime();
            }
            tick(false);
        }
    }

    /**
     * Listens for the kernel's notices on the v2 cgroup's memory.events, so that an OOM kill, a hit of
     * the limit or of memory.high is news at once, not at the next tick; follows the reader when the
     * process moves. Where no notice comes (v1, no inotify), the ticks alone go on.
     */
    private void watchMemoryEvents() {
        CgroupMemoryReader reader = sensor.cgroupReader();
        if (reader == noticeReader) {
            return;
        }
        noticeReader = reader;
        if (notice != null) {
            notice.close();
            notice = null;
        }
        if (reader != null && reader.version() == 2) {
            notice = EventsNotice.watch(reader.directory(), () -> {
                eventsChanged = true;
                LockSupport.unpark(loopThread);
            });
        }
    }

    /**
     * One sampling tick; every failure inside is caught so the next tick runs. Far from the limit
     * and steady it only looks at the cgroup's usage ({@link SamplingCadence}); a notice of the
     * kernel's (v2 memory.events changed) always reads everything.
     */
    void tick(boolean notice) {
        try {
            long now = System.currentTimeMillis();
            if (jitPending && now - startMillis >= LIGHT_JIT_AFTER_MILLIS) {
                jitPending = false;
                String why = OwnCompilation.keepC2Away();
                if (why != null) {
                    problems.report("lightJit", "the agent's code stays open to C2 (more JIT time, nothing else):"
                            + " no compiler directive: " + why);
                }
            }
            // A snapshot event is written by a full tick once snapshotEvery has passed. Asked for
            // more often than the full ticks come at the least (under 10 s), it calls one itself:
            // the event log gets one every snapshotEvery, quick ticks or not. From 10 s (the
            // default) on, it comes with the full ticks, which while all stays put come once a
            // minute (SamplingCadence): the snapshots of a still service would say the same.
            long snapshotEvery = options.snapshotEveryMillis();
            boolean snapshotDue = now - lastSnapshotEvent >= snapshotEvery || now < lastSnapshotEvent;
            boolean snapshotCallsFull = snapshotDue && snapshotEvery < SamplingCadence.FULL_EVERY_MILLIS;
            long usage;
            if (!notice && !snapshotCallsFull && options.quickTicks() && cadence.calm()
                    && !cadence.fullDue(now, usage = sensor.quickUsageBytes())) {
                quickTicks++;
                // The history keeps its pace while usage is flat: the last full sample, carried
                // forward (SamplingCadence.flatSinceFull). With only full ticks in it, a calm stretch
                // was a sample or two and a spike after it nearly all of the forecaster's windows: a
                // spike that recovers was forecast as a kill (OomKillIT, 8ab3b9d's CI).
                // The history's latest sample is that full tick's (or an earlier carry of it).
                if (lastFullSnapshot != null && cadence.flatSinceFull(usage) && !history.repeatLatest(now)) {
                    history.add(lastFullSnapshot.at(now), lastFullBreakdown);
                }
                // A registry built since the last full tick gets its meters now, not up to 10 s later.
                publishers.quickTick();
                return;
            }
            fullTicks++;
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
            lastFullSnapshot = snapshot;
            lastFullBreakdown = breakdown;
            measure(now, snapshot, breakdown);
            Forecast forecast = Forecaster.forecast(history, forecastSettings);
            Decision decision = policy.decide(forecast, snapshot, breakdown);
            if (options.quickTicks()) {
                cadence.fullTaken(snapshot, forecast, decision, options.policy().warnShare());
            }

            // Last words first: if the kill comes during the dump, the flight file already says why.
            lastWords(snapshot, breakdown, forecast, decision);
            responder.act(snapshot, breakdown, forecast, decision);

            watchWriters();
            latePreviousRun(now);
            Reading reading = new Reading(snapshot, breakdown, forecast, decision.level(), responder.dumpsWritten(),
                    measuredBudget);
            latest.set(reading);
            publishers.tick(reading);
            if (snapshotDue || decision.changed()) {
                lastSnapshotEvent = now;
                long quick = quickTicks;
                long full = fullTicks;
                write(now, "snapshot", json -> {
                    Events.snapshot(json, snapshot, breakdown);
                    Events.forecast(json, forecast, decision.level());
                    Events.ticks(json, quick, full);
                });
            }
        } catch (RuntimeException | LinkageError e) {
            // A tick that failed found nothing calm: the next ones read everything.
            cadence.fullTaken(null, null, null, 0);
            problems.report("tick", "a tick failed: " + e + where(e));
        } finally {
            // What this tick loaded is the agent's, not the application's start (WarmUp).
            sensor.jvmReader().agentWorkDone();
        }
    }

    /**
     * The measured budget: every tick's parts go into the peaks; once settled, and again when a peak
     * grows materially, the {@code budget} event with {@code basis: "measured"} says them.
     */
    private void measure(long now, Snapshot snapshot, Breakdown breakdown) {
        peaks.add(snapshot, breakdown, Startup.maxHeap(snapshot, sensor.jvmReader().flags()));
        lastReadingSnapshot = snapshot;
        if (budgetCadence.due(now, peaks)) {
            MeasuredBudget b = peaks.budget();
            measuredBudget = b;
            write(now, "budget", json -> MeasuredBudgetEvent.write(json, b, Startup.jvmSizesFromLimit(snapshot)));
        }
    }

    private void lastWords(Snapshot s, Breakdown b, Forecast f, Decision d) {
        boolean rewrite = flightCadence.due(s.epochMillis(), d.level(), d.changed(), s.workingSetBytes(), s.limitBytes());
        OomKillCounter counter = rewrite && flightFile != null ? oomKillCounter() : null;
        if (counter != null) {
            // One small read per rewrite (every 5 s while all is well): the count the next start compares.
            flightFile.oomKills(counter.file().toString(), counter.cgroupId(), counter.read());
        }
        IOException failure = flightFile == null ? null : flightFile.update(s, b, f, d.level(), rewrite);
        if (failure != null && !flightFileFailed) {
            flightFileFailed = true;
            problems.report("flightFile", "cannot write " + flightFile.path() + ": " + describe(failure));
        }
        if (terminationLog != null) {
            String dump = responder.lastDumpPath();
            // Written on its own thread: a failure comes back later, so it is asked for every tick.
            IOException t = d.changed() || d.level() == Level.CRITICAL
                    ? terminationLog.update(s, b, f, d.level(), dump == null ? null : Path.of(dump))
                    : terminationLog.writes().failureOnce();
            if (t != null) {
                problems.report("terminationLog", "cannot write " + terminationLog.path() + ": " + describe(t));
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
                Startup.budget(r.snapshot(), sensor.jvmReader().flags()), r.budget());
    }

    /**
     * At a clean exit: the flight file says so, and the event log ends with {@code stop}. The
     * writing runs on its own daemon thread and is waited for at most {@link #STOP_WAIT_MILLIS}: a
     * file that hangs (a FIFO nobody reads, a hung network file system) must not hold the JVM's
     * exit (issue 12: main ended at 3 s, the JVM at 45 s). Then one line says what was left.
     */
    private void stop() {
        try {
            Thread io = new Thread(this::lastWrites, "headroom-stop-io");
            io.setDaemon(true);
            io.start();
            io.join(STOP_WAIT_MILLIS);
            if (io.isAlive()) {
                console.say("exit: the last writes (flight file, event log) did not finish within "
                        + STOP_WAIT_MILLIS + " ms; not waiting for them (a file that blocks?)");
            }
            // The lines said until now, the exit's own included; a standard error nobody drains is not waited for.
            console.closeBy(System.nanoTime() + CONSOLE_WAIT_MILLIS * 1_000_000L);
        } catch (Throwable ignored) {
            // The JVM is going away; nothing may delay or disturb that.
        }
    }

    /** How long the JVM's exit waits for the agent's last writes. */
    static final long STOP_WAIT_MILLIS = 500;
    /** And then for the agent's lines to standard error: the exit waits 700 ms at most in all. */
    static final long CONSOLE_WAIT_MILLIS = 200;

    /**
     * The last words handed to each output's thread, then one deadline for all of them: they write
     * at once, each on its own thread, so one that hangs costs the others nothing.
     */
    private void lastWrites() {
        try {
            long now = System.currentTimeMillis();
            long deadline = System.nanoTime() + STOP_WAIT_MILLIS * 1_000_000L;
            FlightFile flight = flightFile;
            if (flight != null) {
                flight.markEnded("exit");
            }
            publishers.close();
            MeasuredBudget last = peaks.budget();
            if (last != null && lastReadingSnapshot != null) {
                // The run's complete peaks, for whoever sizes from this log.
                Snapshot s = lastReadingSnapshot;
                write(now, "budget", json -> {
                    MeasuredBudgetEvent.write(json, last, Startup.jvmSizesFromLimit(s));
                    json.writeBooleanField("final", true);
                });
            }
            write(now, "stop", json -> json.writeStringField("reason", "exit"));
            // A little before the exit's own bound, so that this line, which names the files, is the one said.
            long by = deadline - 100 * 1_000_000L;
            // Every output told first, then each waited for by the same deadline: they finish at once,
            // each on its own thread, and one that hangs does not eat the others' time.
            TerminationLog termination = terminationLog;
            if (flight != null) {
                flight.rewrites().finish();
            }
            if (termination != null) {
                termination.writes().finish();
            }
            eventLog.writer().finish();
            IsolatedWriter evidence = evidenceWork;
            if (evidence != null) {
                evidence.finish();
            }
            List<String> left = new ArrayList<>();
            if (flight != null && !flight.rewrites().close(by)) {
                left.add("the flight file " + flight.path() + " did not take its last rewrite");
            }
            if (termination != null && !termination.writes().close(by)) {
                left.add("the termination log " + termination.path() + " did not take its last summary");
            }
            if (evidence != null && !evidence.close(by)) {
                left.add("the evidence being written under " + evidenceDir + " did not finish");
            }
            if (!eventLog.closeBy(by)) {
                left.add(0, "the event log " + eventLog.path() + " did not take its last lines");
            }
            if (!left.isEmpty()) {
                console.say("exit: " + String.join(", ", left) + " within " + (STOP_WAIT_MILLIS - 100)
                        + " ms; not waiting for "
                        + (left.size() == 1 ? "it" : "them") + " (a FIFO nobody reads? a hung file system?)");
            }
        } catch (Throwable ignored) {
            // As above.
        }
    }

    /**
     * Said once each: an output's thread has been stuck in one write for a while. The tick goes
     * on; the output's writes wait (the event log's up to its queue, the others only the newest).
     */
    private void watchWriters() {
        IsolatedWriter events = eventLog.writer();
        if (events.stuckFirstTime(WRITE_STUCK_MILLIS)) {
            problems.report("eventLog", "a write to the event log " + eventLog.path() + " has not returned for "
                    + events.stuckMillis() + " ms (a FIFO nobody reads? a hung file system?); events queue, then are"
                    + " dropped, and the agent goes on watching");
        }
        FlightFile flight = flightFile;
        if (flight != null && flight.rewrites().stuckFirstTime(WRITE_STUCK_MILLIS)) {
            problems.report("flightFile", "a rewrite of the flight file " + flight.path() + " has not returned for "
                    + flight.rewrites().stuckMillis() + " ms (a hung file system?); only the newest content waits,"
                    + " and the agent goes on watching");
        }
        IsolatedWriter evidence = evidenceWork;
        // Non-short-circuit: each thread's "first time" is used up when it comes, said or not.
        if (evidence != null && (evidence.stuckFirstTime(WRITE_STUCK_MILLIS) | dumpChecks.stuckFirstTime(WRITE_STUCK_MILLIS))) {
            problems.report("evidence", "evidence work in the dump directory (a check, a histogram, an NMT report) has"
                    + " not returned for " + Math.max(evidence.stuckMillis(), dumpChecks.stuckMillis()) + " ms (a hung"
                    + " file system?); heap dumps are skipped while it does not answer, and the agent goes on watching");
        }
        if (console.writer().stuckFirstTime(WRITE_STUCK_MILLIS)) {
            // Said where it can still be read: the event log (the reporter's stderr line only queues).
            problems.report("console", "a line to standard error has not been taken for " + console.writer().stuckMillis()
                    + " ms (a pipe nobody drains?); the agent's lines queue, then are dropped, and it goes on watching");
        }
        if (terminationLog != null && terminationLog.writes().stuckFirstTime(WRITE_STUCK_MILLIS)) {
            problems.report("terminationLog", "a write to the termination log " + terminationLog.path()
                    + " has not returned for " + terminationLog.writes().stuckMillis() + " ms (a hung file system?);"
                    + " only the newest summary waits, and the agent goes on watching");
        }
    }

    /** See {@link #watchWriters()}: a local write takes microseconds; five seconds is stuck. */
    static final long WRITE_STUCK_MILLIS = 5_000;

    /** A failure in one line: a refusal or a file system's reason, without a class name where it says enough. */
    static String describe(Exception e) {
        if (e instanceof dev.headroom.io.GuardedFile.RefusedException) {
            return e.getMessage();
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        return e.toString();
    }

    private void write(long now, String event, EventLog.Body body) {
        IOException failure = eventLog.write(now, event, body);
        if (failure != null && !eventLogFailed) {
            eventLogFailed = true;
            console.say("cannot write the event log " + eventLog.path() + ": " + failure + " (reported once)");
        }
    }
}
