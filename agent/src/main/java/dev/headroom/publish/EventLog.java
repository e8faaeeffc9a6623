package dev.headroom.publish;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The machine-readable event log: JSON Lines, one object per line, each with {@code time}
 * (ISO-8601 UTC) and {@code event}, sizes in bytes, names in lowerCamelCase. The format is a
 * contract with users and tests; docs/events.md describes every event.
 *
 * <p>Each event is rendered into a buffer first and written with one {@code write} call, so a
 * SIGKILL can cut the log only between lines, never inside one that a reader would then misparse.
 */
public final class EventLog implements AutoCloseable {

    /** Writes the fields of one event after {@code time} and {@code event}. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final OutputStream out;
    private final Path path;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);

    private EventLog(Path path, OutputStream out) {
        this.path = path;
        this.out = out;
    }

    /** Opens (appending) or creates the log, and its parent directories. */
    public static EventLog open(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE);
        return new EventLog(path, out);
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

    /** Writes one event. Never throws: an I/O failure is returned for the caller to report once. */
    public synchronized IOException write(long epochMillis, String event, Body body) {
        if (out == null) {
            return null;
        }
        try {
            line.reset();
            render(line, epochMillis, event, body);
            line.writeTo(out);
            out.flush();
            return null;
        } catch (IOException e) {
            return e;
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

    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // Closing at shutdown: nothing left to tell anyone.
            }
        }
    }
}
