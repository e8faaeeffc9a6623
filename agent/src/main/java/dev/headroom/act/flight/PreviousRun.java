package dev.headroom.act.flight;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import dev.headroom.io.GuardedFile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * What the flight file left by the previous run says, read once at start, before this run first
 * rewrites it: whether that run ended abruptly (most likely the cgroup OOM killer's SIGKILL, which
 * no shutdown hook sees) and its last known state.
 *
 * @param found               whether a flight file was there
 * @param endedAbruptly       it says {@code ended: false} and its writer is no longer running
 * @param pid                 the writer's pid, {@code -1} when unknown
 * @param lastTime            its last rewrite, {@code null} when unknown
 * @param lastWorkingSetBytes {@code -1} when unknown
 * @param lastLimitBytes      {@code -1} when unknown or no limit
 * @param lastLevel           {@code OK}, {@code WARNING}, {@code CRITICAL}, or {@code null}
 * @param percentOfLimit      working set as a percentage of the limit, {@code NaN} when unknown
 * @param secondsToLimit      the last forecast, {@code NaN} when none
 * @param reason              why it could not be read (missing, malformed), {@code null} when it was
 * @param ended               it says {@code ended: true} (its run exited normally)
 * @param oomKillFile         the OOM-kill counter its run read ({@code OomKillCounter}), {@code null} when none
 * @param oomKillCgroupId     that counter's cgroup id (inode number), {@code -1} when unknown
 * @param oomKills            the count its run last saw, {@code -1} when unknown
 */
public record PreviousRun(
        boolean found,
        boolean endedAbruptly,
        long pid,
        Instant lastTime,
        long lastWorkingSetBytes,
        long lastLimitBytes,
        String lastLevel,
        double percentOfLimit,
        double secondsToLimit,
        String reason,
        boolean ended,
        String oomKillFile,
        long oomKillCgroupId,
        long oomKills) {

    /** Whether the process that wrote the file is still running; replaceable in tests. */
    @FunctionalInterface
    interface Liveness {
        boolean writerAlive(long pid, Instant writerStart);
    }

    private static final JsonFactory JSON = new JsonFactory();
    private static final long MAX_BYTES = 4L * 1024 * 1024;

    /** Reads the flight file; never throws. */
    public static PreviousRun read(Path flightFile) {
        return read(flightFile, PreviousRun::writerAlive);
    }

    static PreviousRun read(Path flightFile, Liveness liveness) {
        try {
            // Not followed if a link, not opened unless a regular file (a FIFO would hold the agent's
            // thread here for ever), not read if someone else's in a shared directory: see GuardedFile.
            byte[] content = GuardedFile.read(flightFile, MAX_BYTES);
            try (InputStream in = new ByteArrayInputStream(content)) {
                return parse(in, liveness);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Where, not what: the parser's message quotes the text it choked on, and whatever file
            // this is, its content does not belong in the event log.
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            return unreadable(true, "malformed flight file " + flightFile + ": not JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
        } catch (GuardedFile.RefusedException e) {
            return unreadable(true, "not read: " + e.getMessage());
        } catch (NoSuchFileException e) {
            return unreadable(false, "no flight file at " + flightFile);
        } catch (IOException | RuntimeException e) {
            return unreadable(Files.exists(flightFile), "cannot read " + flightFile + ": " + e.getMessage());
        }
    }

    private static PreviousRun unreadable(boolean found, String reason) {
        return new PreviousRun(found, false, -1, null, -1, -1, null, Double.NaN, Double.NaN, reason, false, null, -1, -1);
    }

    private static PreviousRun parse(InputStream in, Liveness liveness) throws IOException {
        String event = null;
        Boolean ended = null;
        long pid = -1;
        Instant time = null;
        Instant start = null;
        long ws = -1;
        long limit = -1;
        String level = null;
        double seconds = Double.NaN;
        String oomKillFile = null;
        long oomKillCgroupId = -1;
        long oomKills = -1;
        try (JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return unreadable(true, "malformed flight file: not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "event" -> event = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "ended" -> ended = v == JsonToken.VALUE_TRUE ? Boolean.TRUE
                            : v == JsonToken.VALUE_FALSE ? Boolean.FALSE : null;
                    case "pid" -> pid = v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    case "time" -> time = instant(p, v);
                    case "startTime" -> start = instant(p, v);
                    case "workingSetBytes" -> ws = size(p, v);
                    case "limitBytes" -> limit = size(p, v);
                    case "level" -> level = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "forecast" -> seconds = secondsToLimit(p, v);
                    case "oomKillFile" -> oomKillFile = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "oomKillCgroupId" -> oomKillCgroupId = size(p, v);
                    case "oomKills" -> oomKills = size(p, v);
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return unreadable(true, "malformed flight file: unexpected " + t);
            }
        }
        if (!"flight".equals(event) || ended == null || pid < 0) {
            return unreadable(true, "malformed flight file: no event \"flight\", \"ended\" or \"pid\"");
        }
        boolean abrupt = !ended && !liveness.writerAlive(pid, start);
        double percent = ws >= 0 && limit > 0 ? ws * 100.0 / limit : Double.NaN;
        return new PreviousRun(true, abrupt, pid, time, ws, limit, level, percent, seconds, null, ended,
                oomKillFile, oomKillCgroupId, oomKills);
    }

    /**
     * A size in bytes, {@code -1} when absent or not one. A negative number is not a size: it came back as
     * {@code lastWorkingSetBytes = Long.MIN_VALUE} from a damaged file (found by PreviousRunFuzzTest).
     */
    private static long size(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT) {
            return -1;
        }
        long bytes = p.getLongValue();
        return bytes >= 0 ? bytes : -1;
    }

    private static Instant instant(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            return null;
        }
        try {
            return Instant.parse(p.getText());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static double secondsToLimit(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            p.skipChildren();
            return Double.NaN;
        }
        double seconds = Double.NaN;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken f = p.nextToken();
            if ("secondsToLimit".equals(name) && f.isNumeric()) {
                seconds = p.getDoubleValue();
            } else {
                p.skipChildren();
            }
        }
        return seconds;
    }

    /**
     * Whether a process with this pid is running and is the writer, not a later process that got
     * the same pid (in a restarted container the JVM is often pid 1 again — including this very
     * process). The writer started before it wrote {@code startTime}; a reuser started after the
     * writer died. One second of slack covers the rounding of process start times (the kernel's
     * boot time is in whole seconds).
     */
    static boolean writerAlive(long pid, Instant writerStart) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        Optional<Instant> started = handle.get().info().startInstant();
        if (started.isEmpty() || writerStart == null) {
            // Cannot tell; a running process with that pid that is not us is taken as the writer.
            return pid != ProcessHandle.current().pid();
        }
        return !started.get().isAfter(writerStart.plusSeconds(1));
    }
}
