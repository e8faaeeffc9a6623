package dev.headroom.act.flight;

import dev.headroom.act.Level;
import dev.headroom.forecast.Forecast;
import dev.headroom.forecast.Trend;
import dev.headroom.io.GuardedFile;
import dev.headroom.io.IsolatedWriter;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Part;
import dev.headroom.sense.Snapshot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Last words for Kubernetes: a short plain-text summary in the container's termination message
 * file ({@code terminationMessagePath}, by default {@code /dev/termination-log}), which the kubelet
 * copies into the pod status when the container ends — also after {@code OOMKilled}, when nothing
 * else of ours got the chance to speak. The kubelet keeps at most {@value #MAX_BYTES} bytes of it.
 *
 * <p>Rewritten when the level changes, while it is CRITICAL, and when a heap dump appears. The
 * file is a bind mount, so it cannot be replaced by a rename: it is overwritten in place (write,
 * then truncate to the new length, so a kill in between leaves the new text followed by a tail of
 * the old one rather than an empty file). The summary is made on the caller's thread and written
 * by the log's own ({@value #THREAD_NAME}), newest first: a write that blocks holds that thread
 * only, and a summary not yet written is replaced by a newer one.
 */
public final class TerminationLog {

    public static final Path DEFAULT_PATH = Path.of("/dev/termination-log");
    /** The kubelet's limit for one container's termination message. */
    public static final int MAX_BYTES = 4096;

    static final String THREAD_NAME = "headroom-termination-log";

    private final Path path;
    private final boolean create;
    private final IsolatedWriter writer;
    private Level lastLevel;
    private Path lastDump;

    /**
     * An explicit {@code terminationLog=<path>}: created (0600) when missing.
     *
     * @param writer where the writes run: {@link #writer()}, or {@link IsolatedWriter#inline()} in tests
     */
    public TerminationLog(Path path, IsolatedWriter writer) {
        this(path, true, writer);
    }

    private TerminationLog(Path path, boolean create, IsolatedWriter writer) {
        this.path = path;
        this.create = create;
        this.writer = writer;
    }

    /** The log's own thread ({@value #THREAD_NAME}); latest-only, so a few waiting writes is plenty. */
    public static IsolatedWriter writer() {
        return IsolatedWriter.named(THREAD_NAME, 4);
    }

    /** The writer its writes run on, for the watchdog and the exit. */
    public IsolatedWriter writes() {
        return writer;
    }

    /**
     * {@code terminationLog=auto}: the kubelet's file, only where it already exists. The kubelet
     * creates it (and bind-mounts it) before the container starts; a {@code KUBERNETES_SERVICE_HOST}
     * alone is no proof of a pod (it is copied into other environments), and creating
     * {@code /dev/termination-log} there would be ours to explain.
     *
     * @return {@code null} when there is no such file
     */
    public static TerminationLog auto(Map<String, String> environment, Path path, IsolatedWriter writer) {
        return inKubernetes(environment) && Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
                ? new TerminationLog(path, false, writer) : null;
    }

    /** Whether this process runs in a Kubernetes pod: the kubelet sets {@code KUBERNETES_SERVICE_HOST}. */
    public static boolean inKubernetes(Map<String, String> environment) {
        String v = environment.get("KUBERNETES_SERVICE_HOST");
        return v != null && !v.isEmpty();
    }

    public Path path() {
        return path;
    }

    /**
     * Rewrites the summary when the level changed, the level is CRITICAL, or a new dump was written.
     *
     * @param dumpPath the latest heap dump, {@code null} when none
     * @return {@code null}, or the I/O failure for the caller to report once; never throws
     */
    public synchronized IOException update(Snapshot s, Breakdown b, Forecast f, Level level, Path dumpPath) {
        if (level == lastLevel && level != Level.CRITICAL && Objects.equals(dumpPath, lastDump)) {
            return null;
        }
        try {
            byte[] text = truncate(summary(s, b, f, level, dumpPath), MAX_BYTES);
            writer.replace(() -> write(text));
            lastLevel = level;
            lastDump = dumpPath;
        } catch (RuntimeException e) {
            return new IOException("cannot write " + path, e);
        }
        return writer.failureOnce();
    }

    /** On the log's thread. */
    private void write(byte[] text) throws IOException {
        // Never through a link, never a FIFO, never someone else's file in a shared directory (see
        // GuardedFile): terminationLog=/shared/x once overwrote a root-owned file a link pointed at.
        try (FileChannel ch = GuardedFile.openForWriting(path, create)) {
            ByteBuffer buf = ByteBuffer.wrap(text);
            long at = 0;
            while (buf.hasRemaining()) {
                at += ch.write(buf, at);
            }
            ch.truncate(text.length);
        }
    }

    /** The summary, in plain words, most important first (so truncation drops the least). */
    static String summary(Snapshot s, Breakdown b, Forecast f, Level level, Path dumpPath) {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("headroom ").append(level == null ? "?" : level.name()).append(" at ")
                .append(Instant.ofEpochMilli(s.epochMillis())).append(": unreclaimable memory ")
                .append(size(s.unreclaimableBytes()));
        if (s.limited()) {
            sb.append(" of limit ").append(size(s.limitBytes())).append(" (")
                    .append(String.format(Locale.ROOT, "%.1f%%", s.unreclaimableBytes() * 100.0 / s.limitBytes()))
                    .append("), headroom ").append(size(s.headroomBytes()));
        } else {
            sb.append(", no limit known");
        }
        sb.append(", working set ").append(size(s.workingSetBytes()));
        sb.append('\n');
        if (dumpPath != null) {
            sb.append("heap dump: ").append(dumpPath).append('\n');
        }
        if (f != null && f.hasEstimate()) {
            sb.append("forecast: limit in ").append(String.format(Locale.ROOT, "%.0f s", f.secondsToLimit()))
                    .append(String.format(Locale.ROOT, " (confidence %.2f)", f.confidence()))
                    .append(", growing ").append(size((long) f.growthBytesPerSecond())).append("/s\n");
        }
        if (f != null) {
            List<String> growing = new ArrayList<>();
            for (Trend t : f.growing()) {
                if (t.bytesPerSecond() > 0 && growing.size() < 5) {
                    growing.add(t.partId() + " " + size(t.bytes()) + " +" + size((long) t.bytesPerSecond()) + "/s");
                }
            }
            if (!growing.isEmpty()) {
                sb.append("growing: ").append(String.join("; ", growing)).append('\n');
            }
        }
        if (b != null && !b.parts().isEmpty()) {
            List<Part> parts = new ArrayList<>(b.parts());
            parts.sort((x, y) -> Long.compare(y.bytes(), x.bytes()));
            sb.append("largest:");
            for (int i = 0; i < parts.size() && i < 8; i++) {
                sb.append(i == 0 ? " " : ", ").append(parts.get(i).id()).append(' ').append(size(parts.get(i).bytes()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * The UTF-8 bytes of {@code text}, cut to at most {@code max} bytes at a character boundary:
     * a cut inside a multi-byte sequence backs up to that sequence's first byte.
     */
    static byte[] truncate(String text, int max) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= max) {
            return bytes;
        }
        int cut = max;
        // bytes[cut] is the first byte left out; if it continues a sequence (10xxxxxx), that
        // sequence started before the cut and must go too.
        while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) {
            cut--;
        }
        byte[] out = new byte[cut];
        System.arraycopy(bytes, 0, out, 0, cut);
        return out;
    }

    /** A size for a person: {@code 512 B}, {@code 1.5 MiB}, {@code 2.00 GiB}. */
    static String size(long bytes) {
        long abs = Math.abs(bytes);
        if (abs < 1024) {
            return bytes + " B";
        }
        if (abs < 1024L * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (abs < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
