package dev.headroom.act;

import dev.headroom.forecast.Forecast;
import dev.headroom.forecast.KillTrack;
import dev.headroom.forecast.Trend;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Part;
import dev.headroom.reconcile.PartCatalogue;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.jvm.JvmMemory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides, once a tick, how close the container is to its OOM kill and what to do about it. Pure:
 * its only state is in its fields (the episode, the previous counters, the dumps taken), and time
 * is the snapshots' {@code epochMillis}, never a clock.
 *
 * <p>Each tick a target level is judged from scratch:
 * <ul>
 *   <li>share = unreclaimable memory / limit ({@link Snapshot#unreclaimableBytes()}: what the
 *       kernel cannot reclaim before its OOM killer runs): {@code WARNING} at {@code warnShare},
 *       {@code CRITICAL} at {@code criticalShare};</li>
 *   <li>a forecast at {@code minConfidence} or more: {@code WARNING} when the limit is due within
 *       {@code horizon}, or within {@code leakHorizon} when the forecast stands on at least
 *       {@code horizon} of data; {@code CRITICAL} when it is due sooner than
 *       {@code expectedDumpSeconds × dumpMarginFactor + interval} (3 by default), so a dump starts
 *       while at least twice its expected time remains even when the forecast falls one expected
 *       dump time faster than one interval a tick; the time is counted to the limit less the next
 *       step the unreclaimable memory may take (the largest recent rise, or the heap committed but
 *       not yet touched, whichever is larger); a forecast whose growth is young waits until it has
 *       been seen a third of the time left (all of it while the JVM warms up, {@link WarmUp}),
 *       unless so little is left that waiting would cost the evidence;</li>
 *   <li>the live heap forecast to fill max heap within the horizon when max heap, not the limit, is
 *       the heap's ceiling: {@code WARNING} (an OutOfMemoryError, not a kill, is coming);</li>
 *   <li>kernel counters (see {@link PressureSignals}).</li>
 * </ul>
 * The level follows the target up at once (one {@code WARN} per escalation, so at most a warning and
 * a critical per episode) but comes down only to {@code OK}, when the share stayed below
 * {@code warnShare − hysteresisShare} with nothing forecast for {@code recoverAfter} and the last
 * warning is {@code cooldown} old. Evidence is taken once per episode, on reaching {@code CRITICAL}:
 * a heap dump when one is allowed and can finish before the forecast kill, else a class histogram.
 */
public final class Policy {

    private static final double MIB = 1024.0 * 1024.0;

    private final PolicySettings settings;
    private final PressureSignals pressure = new PressureSignals();
    private final List<String> reasons = new ArrayList<>();

    private Level level = Level.OK;
    private long previousMillis = -1;
    private long lastWarnMillis = -1;
    private long calmSinceMillis = -1;
    private boolean episodeEvidence;
    private int dumpsTaken;
    private long lastDumpMillis = -1;

    public Policy(PolicySettings settings) {
        this.settings = settings;
    }

    public Level level() {
        return level;
    }

    /** The largest rises of the unreclaimable memory between ticks, over the recent ticks. */
    private final RecentSteps steps = new RecentSteps(30);

    /** Where the recent forecasts put the kill: growth that levels off pushes it away. */
    private final KillTrack killTrack = new KillTrack();
    /**
     * A young forecast with more than this left waits until its growth has been seen long enough;
     * with less it speaks at once. A fast leak (tens of MiB/s) is first forecast with seconds to go.
     */
    static final double CONFIRM_ABOVE_SECONDS = 30;
    /** How far past the time its growth has been seen a forecast may speak: as the forecaster's shortest windows. */
    static final double REACH_PER_AGE = 3;
    /** ... and while the JVM warms up ({@link WarmUp}): no further than it has been seen. */
    static final double WARM_UP_REACH_PER_AGE = 1;
    private final WarmUp warmUp = new WarmUp();

    /** Heap dumps this policy has asked for so far. */
    public int dumpsTaken() {
        return dumpsTaken;
    }

    /** Judges one tick without a reconciliation (no committed-but-untouched memory known). */
    public Decision decide(Forecast f, Snapshot s) {
        return decide(f, s, null);
    }

    /**
     * Judges one tick. Never throws on odd input: unknown values just contribute nothing.
     *
     * @param b the tick's reconciliation, for the memory the JVM has committed but not yet touched
     *          ({@code null}: none known)
     */
    public Decision decide(Forecast f, Snapshot s, Breakdown b) {
        if (s == null) {
            return new Decision(previousMillis, level, level, List.of(), Double.NaN, Set.of());
        }
        long now = s.epochMillis();
        double interval = settings.intervalSeconds();
        if (previousMillis >= 0 && now > previousMillis) {
            interval = Math.max(interval, (now - previousMillis) / 1000.0);
        }
        previousMillis = now;
        reasons.clear();
        long unreclaimable = s.unreclaimableBytes();
        long step = steps.add(unreclaimable);
        long untouched = untouchedHeapBytes(b, s.jvm());

        long limit = s.limitBytes() > 0 ? s.limitBytes() : f == null ? -1 : f.limitBytes();
        double share = limit > 0 && unreclaimable >= 0 ? (double) unreclaimable / limit : Double.NaN;
        JvmMemory jvm = s.jvm();
        double expectedDump = jvm != null && jvm.heapUsed() >= 0
                ? (double) jvm.heapUsed() / settings.dumpBytesPerSecond() : Double.NaN;

        // When max heap and everything beside the heap fit the limit, a high share is the heap
        // grown into its own max, where it stops: no kill can come without something else growing,
        // which the forecast watches (and which raises the ceilings above the limit). Measured
        // before: healthy GC churn at MaxRAMPercentage=80 warned on 10 of 10 runs.
        boolean ceilingsFit = f != null && f.ceilingsBytes() > 0 && f.limitBytes() > 0 && !f.ceilingsExceedLimit();
        Level target = Level.OK;
        if (share >= settings.warnShare() && !ceilingsFit) {
            reasons.add(UNRECLAIMABLE + " " + mib(unreclaimable) + " is " + percent(share * 100)
                    + " of the " + mib(limit) + " limit");
            target = share >= settings.criticalShare() ? Level.CRITICAL : Level.WARNING;
        }

        boolean credible = f != null && f.hasEstimate() && f.confidence() >= settings.minConfidence();
        killTrack.add(f);
        // A forecast whose kill instant moves away as fast as time passes is growth levelling off
        // (start-up, warm-up, a cache filling), not a kill coming (KillTrack). A receding
        // instant holds the forecast back here: without earlier estimates (UNKNOWN) a fast leak still warns at once.
        KillTrack.Verdict verdict = credible ? killTrack.judge(f, interval) : KillTrack.Verdict.UNKNOWN;
        boolean receding = verdict == KillTrack.Verdict.RECEDING;
        // Growth that appeared late in what the agent has watched (its forecasts have had an estimate
        // for less than half of that) reaches at most REACH_PER_AGE times as far as it has been seen:
        // it has its own seconds behind it, not the flat stretch before, which the forecaster's
        // windows count as data. Unless too little time is left to wait: a kill soon, or a dump that
        // needs the time.
        // While the JVM warms up (WarmUp), growth at a leak's pace is as often the start's own, which
        // stops: there a forecast reaches no further than its growth has been seen, from the start of
        // the watch too, and only the dump's time is too little to wait for.
        double dumpMargin = (Double.isNaN(expectedDump) ? 0 : expectedDump * settings.dumpMarginFactor()) + interval;
        boolean warming = jvm != null && warmUp.add(now, jvm.classesLoadedByOthers(), jvm.compilationMillis());
        boolean unconfirmed = false;
        if (credible && !receding
                && f.secondsToLimit() > (warming ? 3 * dumpMargin : Math.max(CONFIRM_ABOVE_SECONDS, 3 * dumpMargin))) {
            double age = killTrack.ageSeconds();
            // Written so that an unknown age (NaN) holds the forecast back while warming up.
            unconfirmed = warming ? !(f.secondsToLimit() <= WARM_UP_REACH_PER_AGE * age)
                    : age < killTrack.historySeconds() / 2 && f.secondsToLimit() > REACH_PER_AGE * age;
        }
        // A forecast standing on hours of data may speak hours ahead; one drawn from seconds only
        // within the horizon (its confidence already falls with how far it reaches past its data).
        boolean longBasis = f != null && f.basisSeconds() >= settings.horizonSeconds();
        double horizon = longBasis ? Math.max(settings.horizonSeconds(), settings.leakHorizonSeconds())
                : settings.horizonSeconds();
        if (credible && !receding && !unconfirmed && f.secondsToLimit() <= horizon) {
            reasons.add(forecastReason(f));
            if (f.heapExpansion()) {
                reasons.add(configurationRisk(f, jvm));
            }
            target = PressureSignals.max(target, Level.WARNING);
            // The working set does not grow smoothly: G1 commits and touches whole regions for a new
            // eden, and a young GC copies survivors into fresh regions, so it rises in steps of tens
            // of MiB (measured: 60 MiB steps at 30 MiB/s under a 512 MiB limit, the last one landing
            // the kill a second before the smooth forecast said). The kill comes when the next such
            // step no longer fits, so the time left is counted from the limit minus that step.
            // A step can be larger than any seen so far: what the JVM has committed but not yet
            // touched (G1's expanded heap) becomes resident as soon as eden moves into it or a
            // collection copies into it (measured at 30 MiB/s: 99 MiB committed and untouched, then
            // a 96 MiB step in one tick after steps of at most 44 MiB).
            long nextStep = Math.max(step, untouched);
            double stepSeconds = nextStep > 0 && f.growthBytesPerSecond() > 0 ? nextStep / f.growthBytesPerSecond() : 0;
            double timeLeft = f.secondsToLimit() - stepSeconds;
            if (timeLeft < dumpMargin) {
                reasons.add(tooLittleTimeReason(timeLeft, dumpMargin, expectedDump, stepSeconds <= 0 ? 0 : nextStep,
                        untouched > step));
                target = Level.CRITICAL;
            }
        }

        if (f != null && jvm != null && jvm.heapMax() > 0 && f.heapCeilingBytes() == jvm.heapMax()
                && f.confidence() >= settings.minConfidence()) {
            double heapFull = f.secondsToHeapCeiling();
            // Only worth saying when the heap fills first; when the limit comes sooner, the
            // kill is the story and this would only contradict it.
            if (heapFull <= settings.horizonSeconds() && (!f.hasEstimate() || heapFull < f.secondsToLimit())) {
                Trend live = f.trend("liveHeap");
                reasons.add("Java heap forecast full in " + seconds(heapFull) + " (after GC " + mib(live.bytes())
                        + " of max " + mib(jvm.heapMax()) + ", +" + rate(live.bytesPerSecond())
                        + "): an OutOfMemoryError is due before the container limit");
                target = PressureSignals.max(target, Level.WARNING);
            }
        }

        target = PressureSignals.max(target, pressure.assess(s.cgroup(), share, limit,
                f == null ? null : f.thrashing(), settings, reasons));

        Level previous = level;
        Set<Decision.Action> actions = null;
        if (target.compareTo(level) > 0) {
            actions = EnumSet.of(Decision.Action.WARN);
            if (previous == Level.OK) {
                episodeEvidence = false;
                actions.add(Decision.Action.NMT_SNAPSHOT);
            }
            level = target;
            lastWarnMillis = now;
            calmSinceMillis = -1;
        } else if (level != Level.OK) {
            boolean calm = target == Level.OK && (ceilingsFit || Double.isNaN(share)
                    || share < settings.warnShare() - settings.hysteresisShare());
            if (!calm) {
                calmSinceMillis = -1;
            } else {
                if (calmSinceMillis < 0) {
                    calmSinceMillis = now;
                }
                if (now - calmSinceMillis >= settings.recoverAfterSeconds() * 1000
                        && now - lastWarnMillis >= settings.cooldownSeconds() * 1000) {
                    level = Level.OK;
                    calmSinceMillis = -1;
                    reasons.add("recovered: " + UNRECLAIMABLE + " " + mib(unreclaimable)
                            + (limit > 0 ? " is " + percent(share * 100) + " of the " + mib(limit) + " limit" : "")
                            + " and nothing is forecast within " + seconds(settings.horizonSeconds()));
                }
            }
        }

        if (level == Level.CRITICAL && !episodeEvidence) {
            episodeEvidence = true;
            if (actions == null) {
                actions = EnumSet.noneOf(Decision.Action.class);
            }
            actions.add(Decision.Action.NMT_SNAPSHOT);
            boolean allowed = dumpsTaken < settings.maxDumps()
                    || (settings.dumpIntervalSeconds() > 0 && lastDumpMillis >= 0
                            && now - lastDumpMillis >= settings.dumpIntervalSeconds() * 1000);
            boolean time = !(credible && !Double.isNaN(expectedDump) && f.secondsToLimit() < expectedDump);
            // A dump that cannot finish is worse than none: it stops the application at a safepoint
            // for nothing. When the time is short, the histogram (a fraction of the cost) goes first.
            if (allowed && time && jvm != null) {
                actions.add(Decision.Action.DUMP_HEAP);
                dumpsTaken++;
                lastDumpMillis = now;
                reasons.add("heap dump due: it should take about " + seconds(expectedDump)
                        + (credible ? ", the limit is forecast in " + seconds(f.secondsToLimit()) : ""));
            } else {
                actions.add(Decision.Action.HISTOGRAM);
                reasons.add(!allowed
                        ? "class histogram instead of a heap dump: " + dumpsTaken + " of " + settings.maxDumps()
                                + " heap dump(s) already taken"
                        : jvm == null ? "class histogram: no heap reading to size a dump"
                        : "class histogram instead of a heap dump: the limit is forecast in "
                                + seconds(f.secondsToLimit()) + ", a dump would take about " + seconds(expectedDump));
            }
        }

        return new Decision(now, level, previous, reasons.isEmpty() ? List.of() : reasons, expectedDump,
                actions == null ? Set.of() : actions);
    }

    /**
     * Heap the JVM has committed but not yet touched: the heap pools' pages above their peak use
     * where the collector fills them from the bottom ({@link PartCatalogue#HEAP_UNTOUCHED}), and the
     * reconciliation's correction for committed memory that is not resident, at most the committed
     * heap not in use (objects in use are resident; the rest of the correction is thread stacks
     * counted at their full size, which do not become resident in one step).
     */
    private static long untouchedHeapBytes(Breakdown b, JvmMemory jvm) {
        if (b == null || jvm == null || jvm.heapCommitted() < 0 || jvm.heapUsed() < 0) {
            return 0;
        }
        Part written = b.part(PartCatalogue.HEAP_UNTOUCHED);
        long untouched = written == null || written.bytes() >= 0 ? 0 : -written.bytes();
        Part p = b.part(PartCatalogue.COMMITTED_NOT_RESIDENT);
        if (p != null && p.bytes() < 0) {
            untouched += Math.min(-p.bytes(), Math.max(0, jvm.heapCommitted() - jvm.heapUsed() - untouched));
        }
        return untouched;
    }

    /** The one name of the quantity that decides, in every text a person reads (issue 15 item 7). */
    public static final String UNRECLAIMABLE = "unreclaimable memory";

    /**
     * Why the heap's own expansion can end in a kill: its max and what sits beside it do not fit
     * the limit. A configuration to change, not a leak to hunt.
     */
    static String configurationRisk(Forecast f, JvmMemory jvm) {
        long heapMax = jvm == null ? -1 : jvm.heapMax();
        long rest = heapMax > 0 ? f.ceilingsBytes() - heapMax : -1;
        return "configuration risk: max heap " + mib(heapMax) + " and the " + mib(rest)
                + " beside it do not fit the " + mib(f.limitBytes()) + " limit; lower -Xmx/MaxRAMPercentage"
                + " or raise the limit";
    }

    private static String forecastReason(Forecast f) {
        StringBuilder sb = new StringBuilder("limit forecast in ").append(seconds(f.secondsToLimit()))
                .append(" at ").append(rate(f.growthBytesPerSecond()));
        if (f.basisSeconds() >= 600) {
            sb.append(" over the last ").append(seconds(f.basisSeconds()));
        }
        if (!f.growing().isEmpty()) {
            Trend fastest = f.growing().get(0);
            sb.append(" (fastest: ").append(fastest.label()).append(" +").append(rate(fastest.bytesPerSecond()))
                    .append(')');
        }
        return sb.toString();
    }

    static String mib(long bytes) {
        return Math.round(bytes / MIB) + " MiB";
    }

    static String rate(double bytesPerSecond) {
        double m = bytesPerSecond / MIB;
        if (Math.abs(m) < 0.1 && m != 0) {
            // A slow leak: MiB an hour says it in numbers a person keeps.
            double perHour = m * 3600;
            return (Math.abs(perHour) < 10 ? String.format(Locale.ROOT, "%.1f", perHour)
                    : Long.toString(Math.round(perHour))) + " MiB/h";
        }
        return (Math.abs(m) < 10 ? String.format(Locale.ROOT, "%.1f", m) : Long.toString(Math.round(m))) + " MiB/s";
    }

    /**
     * Why the time left is too little, in one clause that follows the forecast's "limit forecast in
     * N s": the time left once the next step has landed (not the forecast's N again, which the step
     * shortens), and what that time has to hold (the heap dump and one tick, with margin).
     *
     * @param stepBytes        the step counted off the forecast; 0 when none was
     * @param untouchedCommits whether that step is committed memory the JVM has not touched yet
     *                         (rather than the largest step seen)
     */
    static String tooLittleTimeReason(double timeLeft, double margin, double expectedDump, long stepBytes,
            boolean untouchedCommits) {
        String needed = seconds(margin) + " needed for a heap dump (about "
                + seconds(Double.isNaN(expectedDump) ? 0 : expectedDump) + ") and one tick, with margin";
        if (stepBytes <= 0) {
            return "that is less than the " + needed;
        }
        String step = untouchedCommits
                ? "the " + mib(stepBytes) + " the JVM has committed but not touched yet becomes resident"
                : "the next step of up to " + mib(stepBytes) + " lands (" + UNRECLAIMABLE + " moves in such steps)";
        return timeLeft <= 0
                ? "once " + step + ", the limit is reached: no time is left of the " + needed
                : "once " + step + ", " + seconds(timeLeft) + " are left, less than the " + needed;
    }

    static String seconds(double s) {
        if (s >= 7200) {
            return String.format(Locale.ROOT, "%.1f h", s / 3600);
        }
        if (s >= 600) {
            return Math.round(s / 60) + " min";
        }
        return (s < 10 ? String.format(Locale.ROOT, "%.1f", s) : Long.toString(Math.round(s))) + " s";
    }

    static String percent(double p) {
        return Math.round(p) + "%";
    }
}
