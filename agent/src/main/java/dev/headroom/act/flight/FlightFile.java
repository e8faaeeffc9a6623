package dev.headroom.act.flight;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.headroom.act.Level;
import dev.headroom.forecast.Forecast;
import dev.headroom.io.IsolatedWriter;
import dev.headroom.publish.Events;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Part;
import dev.headroom.sense.Snapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The flight recorder's "black box": a small JSON file rewritten every tick with the latest state
 * and the last {@code historySize} samples, so that after a SIGKILL from the cgroup OOM killer —
 * which the JVM never sees — the last words are on disk. Each rewrite goes to a temporary file in
 * the same directory, then {@code rename(2)}s over the old one: a kill at any moment leaves either
 * the old file or the new one, never a torn one. It is not fsynced: a SIGKILL does not lose the
 * page cache, only a crash of the whole node would, and an fsync every second is not free.
 *
 * <p>Shape (read by the HTML report and {@link PreviousRun}):
 * <pre>{"time": ISO-8601 UTC, "event": "flight", "pid": N, "startTime": ISO, "jvmStartTime": ISO, "ended": false,
 *  "endReason": null, workingSetBytes, limitBytes, limitSource, headroomBytes, breakdown: [...],
 *  "level": "OK", "forecast": {"secondsToLimit": x|null, "confidence": c, "growthBytesPerSecond": r,
 *  "heapCeilingBytes": h|null}, "history": [{"t": epochMillis, "ws": bytes, "limit": bytes|null,
 *  "parts": {"heap": bytes, ...}}, ...]}</pre>
 * Before the first update the state fields, {@code level} and {@code forecast} are absent.
 *
 * <p>Default place: {@value #DEFAULT_NAME} in the evidence directory (see
 * {@link dev.headroom.act.EvidenceDirectory}), which is where a user who wants dumps to survive
 * the container already points a volume. Thread-safe: the tick thread updates it, the shutdown
 * hook marks it ended; both only render the content, which the file's own thread
 * ({@value #THREAD_NAME}) writes, so neither waits on the file system.
 */
public final class FlightFile {

    public static final String DEFAULT_NAME = "headroom-flight.json";
    public static final int DEFAULT_HISTORY = 120;
    static final String THREAD_NAME = "headroom-flight";

    private static final JsonFactory JSON = new JsonFactory();
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final byte[] HISTORY_START = ",\"history\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] HISTORY_END = "]}\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Path path;
    private final Path temp;
    private final IsolatedWriter writer;
    private final long pid;
    private final String startTime;
    /** The process's start as the kernel has it (java.base: the runtime may lack java.management). */
    private static final String JVM_START_TIME = ProcessHandle.current().info().startInstant()
            .map(Instant::toString).orElse(null);
    private final LongSupplier clock;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(16 * 1024);

    // History ring of samples already rendered as JSON: a sample never changes once taken, so it is
    // rendered once, when it arrives, and each rewrite only copies the bytes. Rendering the whole
    // history every tick was three times the cost of the tick itself (docs/performance.md).
    private final byte[][] samples;
    private final ByteArrayOutputStream sampleBuffer = new ByteArrayOutputStream(512);
    private JsonGenerator sampleJson;
    private int next;
    private int size;

    private Snapshot snapshot;
    private Breakdown breakdown;
    private Forecast forecast;
    private Level level;
    private boolean ended;
    private String endReason;
    private boolean parentReady;
    private String oomKillFile;
    private long oomKillCgroupId = -1;
    private long oomKills = -1;

    /**
     * @param path             the file
     * @param pid              this process
     * @param startEpochMillis when this run started
     * @param historySize      samples kept, at least 1
     * @param writer           where the rewrites run: {@link #writer()} (a thread of the file's own),
     *                         or {@link IsolatedWriter#inline()} in tests of the content
     */
    public FlightFile(Path path, long pid, long startEpochMillis, int historySize, IsolatedWriter writer) {
        this(path, pid, startEpochMillis, historySize, System::currentTimeMillis, writer);
    }

    FlightFile(Path path, long pid, long startEpochMillis, int historySize, LongSupplier clock, IsolatedWriter writer) {
        this.writer = writer;
        this.path = path.toAbsolutePath();
        this.temp = this.path.resolveSibling("." + this.path.getFileName() + "." + pid + ".tmp");
        this.pid = pid;
        this.startTime = Instant.ofEpochMilli(startEpochMillis).toString();
        this.clock = clock;
        int n = Math.max(historySize, 1);
        samples = new byte[n][];
    }

    /**
     * The flight file's own thread ({@value #THREAD_NAME}): rewrites are latest-only, so a few
     * waiting writes is plenty (the previous run's read, a test's wait).
     */
    public static IsolatedWriter writer() {
        return IsolatedWriter.named(THREAD_NAME, 4);
    }

    /** The writer these rewrites run on, for the watchdog and the exit. */
    public IsolatedWriter rewrites() {
        return writer;
    }

    /** {@value #DEFAULT_NAME} in this directory. */
    public static Path defaultPath(Path evidenceDirectory) {
        return evidenceDirectory.resolve(DEFAULT_NAME);
    }

    public Path path() {
        return path;
    }

    /**
     * Records the tick and rewrites the file. Ignored once {@link #markEnded} ran.
     *
     * @return {@code null}, or the I/O failure for the caller to report once; never throws
     */
    public synchronized IOException update(Snapshot s, Breakdown b, Forecast f, Level l) {
        return update(s, b, f, l, true);
    }

    /**
     * Records the tick; rewrites the file only when {@code rewrite} (the caller's cadence: every tick
     * while something is wrong, less often while all is well). The sample joins the history either way.
     */
    public synchronized IOException update(Snapshot s, Breakdown b, Forecast f, Level l, boolean rewrite) {
        if (ended) {
            return null;
        }
        snapshot = s;
        breakdown = b;
        forecast = f;
        level = l;
        try {
            remember(s, b);
        } catch (IOException | RuntimeException e) {
            return new IOException("cannot render the flight file's sample", e);
        }
        // Without a rewrite, a failure of an earlier one (written on the file's thread) still comes back.
        return rewrite ? rewrite(s.epochMillis()) : writer.failureOnce();
    }

    /**
     * The OOM-kill count this run sees now, written with the next rewrite, so that the next start can
     * tell an OOM kill from another SIGKILL ({@link EndCause}).
     */
    public synchronized void oomKills(String file, long cgroupId, long count) {
        oomKillFile = file;
        oomKillCgroupId = cgroupId;
        oomKills = count;
    }

    /**
     * Rewrites the file with {@code ended: true} and the reason (e.g. {@code "exit"}), keeping the
     * last state; later updates are ignored. For the shutdown hook. Never throws.
     */
    public synchronized IOException markEnded(String reason) {
        ended = true;
        endReason = reason;
        return rewrite(clock.getAsLong());
    }

    private void remember(Snapshot s, Breakdown b) throws IOException {
        sampleBuffer.reset();
        // One generator for every sample (a new one a tick was a twentieth of the agent's thread in
        // perf: its buffers and context set up each time); each sample is a root-level value, flushed.
        JsonGenerator json = sampleJson;
        if (json == null) {
            json = JSON.createGenerator(sampleBuffer, JsonEncoding.UTF8);
            json.setRootValueSeparator(null);
            sampleJson = json;
        }
        try {
            json.writeStartObject();
            json.writeNumberField("t", s.epochMillis());
            json.writeNumberField("ws", s.workingSetBytes());
            Events.bytes(json, "limit", s.limited() ? s.limitBytes() : -1);
            json.writeObjectFieldStart("parts");
            if (b != null) {
                for (Part part : b.parts()) {
                    json.writeNumberField(part.id(), part.bytes());
                }
            }
            json.writeEndObject();
            json.writeEndObject();
            json.flush();
        } catch (IOException | RuntimeException e) {
            // A generator left inside an object cannot be trusted: the next sample starts a new one.
            sampleJson = null;
            throw e;
        }
        samples[next] = sampleBuffer.toByteArray();
        next = (next + 1) % samples.length;
        if (size < samples.length) {
            size++;
        }
    }

    private IOException rewrite(long epochMillis) {
        try {
            byte[] content = render(epochMillis);
            // Written by the file's own thread: a rewrite that blocks (a hung file system under the
            // evidence directory) holds that thread, never the tick, and the newest content replaces
            // any not yet written (only the newest matters).
            writer.replace(() -> store(content));
        } catch (IOException e) {
            return e;
        } catch (RuntimeException e) {
            return new IOException("cannot render the flight file " + path, e);
        }
        return writer.failureOnce();
    }

    /** The whole file's content now: the state, then the history already rendered. */
    private byte[] render(long epochMillis) throws IOException {
        buffer.reset();
        try (JsonGenerator json = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
            // The object stays open: the history, already rendered, is appended after it.
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
            render(json, epochMillis);
        }
        buffer.write(HISTORY_START, 0, HISTORY_START.length);
        int first = (next - size + samples.length) % samples.length;
        for (int j = 0; j < size; j++) {
            if (j > 0) {
                buffer.write(',');
            }
            byte[] sample = samples[(first + j) % samples.length];
            buffer.write(sample, 0, sample.length);
        }
        buffer.write(HISTORY_END, 0, HISTORY_END.length);
        return buffer.toByteArray();
    }

    /** On the file's thread: the content into a new temp file, renamed over the file. */
    private void store(byte[] content) throws IOException {
        try {
            if (!parentReady) {
                Path parent = path.getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                parentReady = true;
            }
            // A leftover temp file (or a link someone placed there) is removed, never written through:
            // CREATE_NEW fails on anything existing, links included.
            Files.deleteIfExists(temp);
            // 0600 from the start (the umask can only narrow it): the file names the evidence and
            // says how the service is doing, which is nobody else's business.
            try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(temp,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY))) {
                out.write(content);
            }
            // rename(2) replaces the target atomically (and replaces a link itself, not its target).
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (RuntimeException e) {
            throw new IOException("cannot write the flight file " + path, e);
        }
    }

    private void render(JsonGenerator json, long epochMillis) throws IOException {
        json.writeStartObject();
        json.writeStringField("time", Instant.ofEpochMilli(epochMillis).toString());
        json.writeStringField("event", "flight");
        json.writeNumberField("pid", pid);
        json.writeStringField("startTime", startTime);
        // The JVM's own start, with the pid: `report` tells from them whether it still runs.
        json.writeStringField("jvmStartTime", JVM_START_TIME);
        json.writeBooleanField("ended", ended);
        if (endReason == null) {
            json.writeNullField("endReason");
        } else {
            json.writeStringField("endReason", endReason);
        }
        if (oomKillFile != null) {
            json.writeStringField("oomKillFile", oomKillFile);
            json.writeNumberField("oomKillCgroupId", oomKillCgroupId);
            json.writeNumberField("oomKills", oomKills);
        }
        if (snapshot != null && breakdown != null) {
            Events.state(json, snapshot, breakdown);
        }
        if (snapshot != null) {
            if (level == null) {
                json.writeNullField("level");
            } else {
                json.writeStringField("level", level.name());
            }
            writeForecast(json, forecast);
        }
        // left open: rewrite() appends the history and closes the object
    }

    private static void writeForecast(JsonGenerator json, Forecast f) throws IOException {
        if (f == null) {
            json.writeNullField("forecast");
            return;
        }
        json.writeObjectFieldStart("forecast");
        finite(json, "secondsToLimit", f.secondsToLimit());
        finite(json, "confidence", f.confidence());
        finite(json, "growthBytesPerSecond", f.growthBytesPerSecond());
        Events.bytes(json, "heapCeilingBytes", f.heapCeilingBytes());
        json.writeEndObject();
    }

    /** JSON has no NaN or infinity: those are written as {@code null}. */
    private static void finite(JsonGenerator json, String name, double v) throws IOException {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            json.writeNullField(name);
        } else {
            json.writeNumberField(name, v);
        }
    }
}
