package dev.headroom.publish.jfr;

import dev.headroom.publish.Reading;
import dev.headroom.reconcile.Part;
import dev.headroom.sense.Snapshot;

import jdk.jfr.FlightRecorder;

import java.time.Duration;

/**
 * Emits Headroom's JFR events ({@code dev.headroom.Snapshot}, {@code .Warning}, {@code .HeapDump}).
 * Without a recording that enables them, each call costs one short-lived object: JFR instruments
 * an event class only while a recording wants it, and until then {@code isEnabled()} is false and
 * nothing else is computed. Each method returns whether it committed an event. Never throws.
 *
 * <p>Before JFR itself has started ({@link FlightRecorder#isInitialized()}: no recording yet, from
 * {@code -XX:StartFlightRecording}, {@code jcmd JFR.start} or the API) there can be no recording to
 * take an event, and the event classes are not even loaded: loading a {@code jdk.jfr.Event}
 * subclass has JFR instrument it through its own copy of ASM, and that code, run once, had the JIT
 * compile about a thousand JDK methods in the agent's first seconds (issue 17: up to 200 ms of the
 * compiler threads, spilling into the first minute on a busy machine).
 */
public final class FlightEvents {

    /** JFR's "no value" for a timespan: {@code jfr print} and Mission Control show it as N/A. */
    static final long NO_TIMESPAN = Long.MIN_VALUE;

    /** Whether any recording can exist yet; a static read once JFR has started. */
    private static boolean jfrStarted() {
        return FlightRecorder.isInitialized();
    }

    public boolean snapshot(Reading reading) {
        if (!jfrStarted()) {
            return false;
        }
        SnapshotEvent e = new SnapshotEvent();
        if (!e.isEnabled() || reading == null || reading.snapshot() == null) {
            return false;
        }
        try {
            Snapshot s = reading.snapshot();
            e.workingSet = s.workingSetBytes();
            e.unreclaimable = s.unreclaimableBytes();
            e.limit = s.limited() ? s.limitBytes() : -1;
            e.headroom = s.headroomBytes();
            e.usage = s.cgroup() == null ? -1 : s.cgroup().usageBytes();
            e.cgroupVersion = s.cgroup() == null ? -1 : s.cgroup().version();
            if (reading.forecast() != null) {
                e.secondsToLimit = seconds(reading.forecast().secondsToLimit());
                e.growthRate = reading.forecast().growthBytesPerSecond();
                e.confidence = reading.forecast().confidence();
            } else {
                e.secondsToLimit = NO_TIMESPAN;
            }
            e.level = reading.level() == null ? null : reading.level().name();
            if (s.jvm() != null) {
                e.heapUsed = s.jvm().heapUsed();
                e.heapCommitted = s.jvm().heapCommitted();
            }
            e.nativeUntracked = -1;
            if (reading.breakdown() != null) {
                StringBuilder parts = new StringBuilder();
                for (Part p : reading.breakdown().parts()) {
                    add(e, p);
                    parts.append(parts.length() == 0 ? "" : ", ").append(p.id()).append('=').append(p.bytes());
                }
                e.parts = parts.toString();
            }
            e.dumpsTaken = reading.dumpsTaken();
            if (e.shouldCommit()) {
                e.commit();
                return true;
            }
        } catch (RuntimeException ignored) {
            // A record with an unexpected null: no event this tick rather than an exception in the agent.
        }
        return false;
    }

    public boolean warning(Reading reading, String reasons) {
        if (!jfrStarted()) {
            return false;
        }
        WarningEvent e = new WarningEvent();
        if (!e.isEnabled() || reading == null) {
            return false;
        }
        try {
            e.level = reading.level() == null ? null : reading.level().name();
            e.reasons = reasons;
            e.secondsToLimit = reading.forecast() == null ? NO_TIMESPAN : seconds(reading.forecast().secondsToLimit());
            Snapshot s = reading.snapshot();
            if (s != null) {
                e.workingSet = s.workingSetBytes();
                e.limit = s.limited() ? s.limitBytes() : -1;
            }
            if (e.shouldCommit()) {
                e.commit();
                return true;
            }
        } catch (RuntimeException ignored) {
            // As for snapshot.
        }
        return false;
    }

    public boolean heapDump(String path, long bytes, Duration took, boolean live) {
        if (!jfrStarted()) {
            return false;
        }
        HeapDumpEvent e = new HeapDumpEvent();
        if (!e.isEnabled()) {
            return false;
        }
        e.path = path;
        e.bytes = bytes;
        e.writeDuration = took == null ? NO_TIMESPAN : took.toNanos();
        e.live = live;
        if (e.shouldCommit()) {
            e.commit();
            return true;
        }
        return false;
    }

    private static void add(SnapshotEvent e, Part p) {
        switch (p.group()) {
            case "jvm" -> e.jvm += p.bytes();
            case "native" -> e.nativeMemory += p.bytes();
            case "pageCache" -> e.pageCache += p.bytes();
            case "kernel" -> e.kernel += p.bytes();
            default -> e.other += p.bytes();
        }
        if ("nativeUntracked".equals(p.id())) {
            e.nativeUntracked = p.bytes();
        }
    }

    private static long seconds(double seconds) {
        return Double.isNaN(seconds) || Double.isInfinite(seconds) ? NO_TIMESPAN : Math.round(seconds);
    }
}
