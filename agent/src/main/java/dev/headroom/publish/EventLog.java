package dev.headroom.publish;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.headroom.io.GuardedFile;
import dev.headroom.io.IsolatedWriter;

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The machine-readable event log: JSON Lines, one object per line, each with {@code time}
 * (ISO-8601 UTC) and {@code event}, sizes in bytes, names in lowerCamelCase. The format is a
 * contract with users and tests; docs/events.md describes every event.
 *
 * <p>Each event is rendered on the caller's thread into one line and handed to the log's own
 * thread ({@value #THREAD_NAME}, an {@link IsolatedWriter}), which writes each line with one
 * {@code write} call, so a SIGKILL can cut the log only between lines, never inside one that a
 * reader would then misparse. A write that blocks (a FIFO whose reader stopped reading, a hung
 * network file system, a stdout nobody drains) holds only that thread: the tick goes on, lines
 * beyond {@value #QUEUE_LINES} waiting are dropped and counted, and the watchdog learns of it from
 * {@link #writer()}. The file is opened by {@link GuardedFile} (no link followed, a regular file
 * only, created 0600: its lines carry paths, reasons and the hook's command line). A FIFO is taken
 * only when it is ours in a directory nobody else can write: a pipe to a collector someone set up
 * on purpose.
 *
 * <p>{@value #STDOUT} (or {@code -}) and {@value #STDERR} name the process's own standard streams,
 * file descriptors 1 and 2, written directly: no name is looked up, so no link is followed
 * ({@code /dev/stdout} is a link to {@code /proc/self/fd/1}, which the guard would refuse), and the
 * application's {@code System.setOut} (a logging framework's redirect) is not involved.
 */
public final class EventLog implements AutoCloseable {

    /** Writes the fields of one event after {@code time} and {@code event}. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    static final String THREAD_NAME = "headroom-events";
    /** Lines waiting at most: a few minutes of events at their busiest, a few hundred KiB. */
    static final int QUEUE_LINES = 1024;
    /** The names taken for the process's standard output and error, exactly as written. */
    public static final String STDOUT = "/dev/stdout";
    public static final String STDERR = "/dev/stderr";

    private static final JsonFactory JSON = new JsonFactory();

    /** Set once by the log's own thread when the file is open; {@code null} before and after a failed open. */
    private volatile FileChannel out;
    private final Path path;
    /** A standard stream: written to, never closed (closing would close the process's descriptor). */
    private volatile boolean stream;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
    private final IsolatedWriter writer;

    private EventLog(Path path) {
        this.path = path;
        this.writer = path == null ? IsolatedWriter.inline() : IsolatedWriter.named(THREAD_NAME, QUEUE_LINES);
    }

    /** How {@link #openWithin} went. */
    public record Opening(EventLog log, IOException failure, boolean late) {
    }

    /**
     * Opens (appending) or creates the log 0600, and its parent directories, on the log's own
     * thread, waiting {@code waitMillis} at most: an open on a hung network file system waits in the
     * kernel as a write does, and the agent's start must not (issue 12). {@value #STDOUT},
     * {@code -} and {@value #STDERR} are the process's standard streams.
     *
     * @return the log and no failure when it opened in time; {@link #none()} and the failure when
     *         it was refused or failed ({@link GuardedFile.RefusedException}: a link, not a regular
     *         file, someone else's in a directory others can write); the log and {@code late} when
     *         the open has not ended yet: lines queue behind it, and a failure then comes back from
     *         {@link #write} once
     */
    public static Opening openWithin(Path path, long waitMillis) {
        EventLog log = new EventLog(path);
        java.util.concurrent.CompletableFuture<Void> opened = log.writer.call(() -> {
            log.openHere();
            return null;
        });
        try {
            opened.get(waitMillis, TimeUnit.MILLISECONDS);
            return new Opening(log, null, false);
        } catch (java.util.concurrent.TimeoutException e) {
            return new Opening(log, null, true);
        } catch (java.util.concurrent.ExecutionException e) {
            log.writer.finish();
            Throwable cause = e.getCause();
            IOException failure = cause instanceof IOException io ? io : new IOException(String.valueOf(cause), cause);
            return new Opening(none(), failure, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Opening(log, null, true);
        }
    }

    /**
     * {@link #openWithin} waiting up to 10 s, failures thrown.
     *
     * @throws GuardedFile.RefusedException when the path is a link, not a regular file, or
     *                                      someone else's in a directory others can write
     */
    public static EventLog open(Path path) throws IOException {
        Opening o = openWithin(path, 10_000);
        if (o.failure() != null) {
            throw o.failure();
        }
        return o.log();
    }

    /** On the log's thread, before any line. */
    private void openHere() throws IOException {
        FileDescriptor standard = standardStream(path);
        if (standard != null) {
            // The descriptor the process already has; the stream object is never closed.
            @SuppressWarnings("resource")
            FileChannel ch = new FileOutputStream(standard).getChannel();
            stream = true;
            out = ch;
            return;
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        FileChannel ch = GuardedFile.openForWriting(path, true, true);
        try {
            if (GuardedFile.sharedBy(path.toAbsolutePath().getParent()) == null
                    && Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                // Checked, and nobody but us and root can swap the name: open it again with O_APPEND,
                // so two JVMs given the same log interleave whole lines instead of writing over each other.
                FileChannel append = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND,
                        LinkOption.NOFOLLOW_LINKS);
                ch.close();
                ch = append;
            } else if (ch.size() > 0) {
                // Read-write (see GuardedFile), so not O_APPEND: lines go after what is there (a FIFO
                // has no position to set).
                ch.position(ch.size());
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        out = ch;
    }

    /**
     * The standard stream this name stands for, {@code null} for a file. Only these exact names:
     * {@code /dev/./stdout} or a link elsewhere to {@code /proc/self/fd/1} is a path like any other,
     * and the guard refuses a link.
     */
    static FileDescriptor standardStream(Path path) {
        String name = path.toString();
        if (name.equals(STDOUT) || name.equals("-")) {
            return FileDescriptor.out;
        }
        if (name.equals(STDERR)) {
            return FileDescriptor.err;
        }
        return null;
    }

    /** A log that drops everything, for when none is configured. */
    public static EventLog none() {
        return new EventLog(null);
    }

    /** Whether lines go anywhere: a log configured, and not refused at its open. */
    public boolean enabled() {
        return path != null;
    }

    public Path path() {
        return path;
    }

    /** The log's writer thread, for the watchdog. */
    public IsolatedWriter writer() {
        return writer;
    }

    /**
     * Queues one event. Never throws and never blocks: an I/O failure of the log's thread is
     * returned once for the caller to report.
     */
    public synchronized IOException write(long epochMillis, String event, Body body) {
        if (path == null) {
            return null;
        }
        try {
            line.reset();
            render(line, epochMillis, event, body);
            byte[] bytes = line.toByteArray();
            writer.offer(() -> writeLine(bytes));
        } catch (IOException e) {
            return e;
        }
        return writer.failureOnce();
    }

    /** How long the write in progress has been going on, {@code 0} when none is. */
    public long stuckMillis() {
        return writer.stuckMillis();
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return writer.dropped();
    }

    /** On the log's thread: one line, one write where the descriptor takes it whole. */
    private void writeLine(byte[] bytes) throws IOException {
        FileChannel out = this.out;
        if (writer.failed() || out == null) {
            // A failed write may have left part of a line: what follows would be glued to it. (A
            // failed open is a failure too: nothing to write to.)
            return;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            if (out.write(buf) == 0) {
                // A descriptor set non-blocking by whoever started us (a stdout pipe) says "not now"
                // (EAGAIN) instead of waiting: wait a little here rather than spin a core.
                LockSupport.parkNanos(10_000_000L);
            }
        }
    }

    /** One event as the log would hold it (with its newline), for the command hook's stdin. */
    public static byte[] render(long epochMillis, String event, Body body) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(2048);
        render(buffer, epochMillis, event, body);
        return buffer.toByteArray();
    }

    private static void render(ByteArrayOutputStream buffer, long epochMillis, String event, Body body)
            throws IOException {
        try (JsonGenerator json = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
            json.writeStartObject();
            json.writeStringField("time", Instant.ofEpochMilli(epochMillis).toString());
            json.writeStringField("event", event);
            body.write(json);
            json.writeEndObject();
        }
        buffer.write('\n');
    }

    /**
     * Writes what is queued, waiting at most {@code waitMillis}, then closes the file.
     *
     * @return whether everything queued was written in time; when not, the log's thread is left
     *         blocked where it is (a daemon: it does not hold the JVM) and the file open
     */
    public boolean close(long waitMillis) {
        return closeBy(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis));
    }

    /** As {@link #close(long)}, with a deadline in {@link System#nanoTime()} shared with the other outputs. */
    public boolean closeBy(long deadlineNanos) {
        if (path == null) {
            return true;
        }
        if (!writer.close(deadlineNanos)) {
            return false;
        }
        FileChannel out = this.out;
        if (!stream && out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // Closing at shutdown: nothing left to tell anyone.
            }
        }
        return true;
    }

    @Override
    public void close() {
        close(1_000);
    }
}
