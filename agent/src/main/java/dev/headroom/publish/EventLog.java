package dev.headroom.publish;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.headroom.io.GuardedFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The machine-readable event log: JSON Lines, one object per line, each with {@code time}
 * (ISO-8601 UTC) and {@code event}, sizes in bytes, names in lowerCamelCase. The format is a
 * contract with users and tests; docs/events.md describes every event.
 *
 * <p>Each event is rendered on the caller's thread into one line and queued; the log's own thread
 * ({@value #THREAD_NAME}) writes each line with one {@code write} call, so a SIGKILL can cut the
 * log only between lines, never inside one that a reader would then misparse. A write that blocks
 * (a FIFO whose reader stopped reading, a hung network file system) holds only that thread: the
 * tick goes on, lines beyond {@value #QUEUE_LINES} queued are dropped and counted, and
 * {@link #stuckMillis} tells the watchdog. The file is opened by {@link GuardedFile} (no link
 * followed, a regular file only, created 0600: its lines carry paths, reasons and the hook's
 * command line). A FIFO is taken only when it is ours in a directory nobody else can write: a
 * pipe to a collector someone set up on purpose.
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

    private static final JsonFactory JSON = new JsonFactory();
    private static final byte[] END = new byte[0];

    private final FileChannel out;
    private final Path path;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
    private final BlockingQueue<byte[]> queue;
    private final Thread writer;
    /** {@code System.nanoTime()} when the write in progress began; 0 while idle. */
    private volatile long writingSince;
    private volatile IOException failure;
    private boolean failureTold;
    private final AtomicLong dropped = new AtomicLong();

    private EventLog(Path path, FileChannel out) {
        this.path = path;
        this.out = out;
        this.queue = out == null ? null : new ArrayBlockingQueue<>(QUEUE_LINES);
        if (out == null) {
            writer = null;
        } else {
            writer = new Thread(this::drain, THREAD_NAME);
            writer.setDaemon(true);
            writer.start();
        }
    }

    /**
     * Opens (appending) or creates the log 0600, and its parent directories.
     *
     * @throws GuardedFile.RefusedException when the path is a link, not a regular file, or
     *                                      someone else's in a directory others can write
     */
    public static EventLog open(Path path) throws IOException {
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
        return new EventLog(path, ch);
    }

    /** A log that drops everything, for when none is configured. */
    public static EventLog none() {
        return new EventLog(null, null);
    }

    public boolean enabled() {
        return out != null;
    }

    public Path path() {
        return path;
    }

    /**
     * Queues one event. Never throws and never blocks: an I/O failure of the log's thread is
     * returned once for the caller to report.
     */
    public synchronized IOException write(long epochMillis, String event, Body body) {
        if (out == null) {
            return null;
        }
        try {
            line.reset();
            render(line, epochMillis, event, body);
            if (!queue.offer(line.toByteArray())) {
                dropped.incrementAndGet();
            }
        } catch (IOException e) {
            return e;
        }
        IOException f = failure;
        if (f != null && !failureTold) {
            failureTold = true;
            return f;
        }
        return null;
    }

    /** How long the write in progress has been going on, {@code 0} when none is. */
    public long stuckMillis() {
        long since = writingSince;
        return since == 0 ? 0 : (System.nanoTime() - since) / 1_000_000;
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    private void drain() {
        try {
            while (true) {
                byte[] next = queue.take();
                if (next == END) {
                    return;
                }
                if (failure != null) {
                    continue;
                }
                writingSince = Math.max(1, System.nanoTime());
                try {
                    ByteBuffer buf = ByteBuffer.wrap(next);
                    while (buf.hasRemaining()) {
                        out.write(buf);
                    }
                } catch (IOException e) {
                    failure = e;
                } finally {
                    writingSince = 0;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        if (out == null) {
            return true;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        try {
            if (!queue.offer(END, waitMillis, TimeUnit.MILLISECONDS)) {
                return false;
            }
            writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (writer.isAlive()) {
            return false;
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // Closing at shutdown: nothing left to tell anyone.
        }
        return true;
    }

    @Override
    public void close() {
        close(1_000);
    }
}
