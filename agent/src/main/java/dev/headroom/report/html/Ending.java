package dev.headroom.report.html;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a run ended, said once and used by the title, the header and the chart's end marker alike.
 * A log without a stop event was either cut by a SIGKILL (the OOM killer's, or another) or is still
 * being written: its writer is alive when the process of its pid is running and started when the
 * log's JVM started (a pid is reused, a start time is not).
 */
enum Ending {
    CLEAN, STILL_RUNNING, OOM_KILLED, ABRUPT;

    /** Live processes, by pid: the start of a running one, empty when there is none. */
    @FunctionalInterface
    interface Processes {
        Optional<Instant> startOf(long pid);

        /** This machine's processes. */
        Processes LOCAL = pid -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).flatMap(p -> p.info().startInstant());
    }

    /**
     * How far the start the log records and the running process's may lie apart. Both are the
     * kernel's start of the process (ProcessHandle, from /proc/<pid>/stat in clock ticks, converted
     * with the boot time), so they match to rounding; the slack also covers a clock stepped since.
     */
    static final long START_SLACK_MILLIS = 5_000;

    static Ending of(Run run, Chart chart, Processes processes) {
        if (run.endedCleanly()) {
            return CLEAN;
        }
        if (writerAlive(run, processes)) {
            return STILL_RUNNING;
        }
        return run.timeline().size() > 0 && HtmlReport.likelyOomKill(run, chart) ? OOM_KILLED : ABRUPT;
    }

    /** Whether the JVM that wrote the log runs now: its pid is alive and started when that JVM did. */
    static boolean writerAlive(Run run, Processes processes) {
        JsonNode start = run.start();
        // The event log's start event has jvm.pid and jvm.startTime; a flight file, pid and jvmStartTime.
        long pid = start.path("jvm").path("pid").asLong(start.path("pid").asLong(-1));
        long jvmStart = millis(start.path("jvm").path("startTime"));
        if (jvmStart == Long.MIN_VALUE) {
            jvmStart = millis(start.path("jvmStartTime"));
        }
        if (pid <= 0 || jvmStart == Long.MIN_VALUE) {
            return false;
        }
        Optional<Instant> running = processes.startOf(pid);
        return running.isPresent() && Math.abs(running.get().toEpochMilli() - jvmStart) <= START_SLACK_MILLIS;
    }

    private static long millis(JsonNode t) {
        if (!t.isTextual()) {
            return Long.MIN_VALUE;
        }
        try {
            return RunReader.plausibleTime(Instant.parse(t.asText()).toEpochMilli());
        } catch (DateTimeParseException | ArithmeticException e) {
            return Long.MIN_VALUE;
        }
    }

    /** The header's CSS word. */
    String css() {
        return switch (this) {
            case CLEAN -> "clean";
            case STILL_RUNNING -> "running";
            case OOM_KILLED -> "oom";
            case ABRUPT -> "abrupt";
        };
    }

    /**
     * The run with its end marker saying this ending: RunReader, which cannot know, marks every end
     * without a stop event "ended abruptly"; the chart then says what the title says.
     */
    Run relabel(Run run) {
        if (this == CLEAN || this == ABRUPT) {
            return run;
        }
        List<Marker> markers = new ArrayList<>(run.markers().size());
        for (Marker m : run.markers()) {
            if (!m.kind().equals("endAbrupt")) {
                markers.add(m);
            } else if (this == OOM_KILLED) {
                markers.add(new Marker(m.epochMillis(), "endAbrupt", "OOM-killed",
                        "the log ends without a stop event, at the limit: the kernel's OOM killer ends a process"
                                + " with SIGKILL, which leaves no time for a last word"));
            } else {
                markers.add(new Marker(m.epochMillis(), "stillRunning", "still running",
                        "the last sample so far: the JVM that writes this log is still running"));
            }
        }
        return new Run(run.source(), run.kind(), run.start(), run.timeline(), run.parts(), run.worstSnapshot(),
                run.lastSnapshot(), run.budget(), run.measuredBudget(), run.sizing(), List.copyOf(markers), run.evidence(), run.problems(),
                run.endedCleanly(), run.endReason(), run.endMillis(), run.runs(), run.runNumber(), run.malformedLines());
    }
}
