package dev.headroom.act;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Writes a heap dump of this JVM, in-process, before the kernel's cgroup OOM killer sends the
 * SIGKILL that {@code -XX:+HeapDumpOnOutOfMemoryError} never sees.
 *
 * <p>Safety comes before evidence. A dump is skipped when: this run already took
 * {@link Settings#maxDumps()}; the evidence directory cannot be made private; the directory is on a
 * memory-backed file system (tmpfs, ramfs, hugetlbfs, devtmpfs — its pages are charged to the very
 * cgroup that is about to be killed) unless {@link Settings#force()}; or the disk lacks room for the
 * heap in use plus 10% plus {@link Settings#marginBytes()}. The dump goes to a fresh, random name in
 * the private directory (see {@link EvidenceDirectory}); HotSpot creates it with {@code O_EXCL}
 * (it refuses an existing file), and it is set to 0600 afterwards. At most
 * {@link Settings#keep()} of our dumps stay in the directory: the oldest are deleted first.
 *
 * <p>Compression ({@link Compression}): a gzip dump ({@link GzipHeapDump}, {@code .hprof.gz}) is
 * several times smaller and takes longer (docs/performance.md has both measured). By default
 * ({@link Compression#AUTO}) it is written only where disk is the constraint — the plain dump does
 * not fit, the compressed one (counted at {@link #GZIP_SIZE_SHARE} of the heap) does — and the time
 * before the kill allows it: twice its expected time (at {@link #GZIP_BYTES_PER_SECOND}) within the
 * forecast time to the limit, or no kill forecast at all.
 *
 * <p>Note on page cache: the dump is written through the page cache, and dirty pages are charged
 * to this cgroup until written back; a live dump (the default) is smaller and so writes less.
 *
 * <p>Thread-safe (one dump at a time); {@link #dump()} blocks for the dump's duration, during
 * which every Java thread is stopped at a safepoint anyway.
 */
public final class HeapDumper {

    /** Conservative write speed used before any dump was measured: 100 MiB/s. */
    public static final double DEFAULT_BYTES_PER_SECOND = 100.0 * 1024 * 1024;

    static final String SUFFIX = ".hprof";
    static final String GZIP_SUFFIX = ".hprof.gz";
    /** Both kinds count as dumps for retention. */
    static final List<String> SUFFIXES = List.of(SUFFIX, GZIP_SUFFIX);

    /**
     * How fast a gzip dump is counted to write the heap in use: 20 MiB/s. Compressing is the slow
     * part, so unlike a plain dump its speed hardly depends on the disk, and it shares the CPU with
     * the service: on a 2-core VM, a heap of random bytes was written at 55 MiB/s alone and 26 MiB/s
     * beside a build (26 to 38 times the plain dump's time), one of small objects at 67 and 36 MiB/s
     * (2.2 to 2.6 times), zeros at 520 MiB/s (docs/performance.md, {@code Harness dumpSize}).
     */
    public static final double GZIP_BYTES_PER_SECOND = 20.0 * 1024 * 1024;
    /**
     * The room a gzip dump is counted to need, as a share of the heap in use: measured 2.8 times
     * smaller than the plain dump on a heap of small objects and strings, over 100 times on zeros;
     * a heap of random bytes (encrypted or already compressed data) does not shrink at all, and its
     * dump fails when the disk fills (the partial file is removed).
     */
    static final double GZIP_SIZE_SHARE = 0.5;

    /** Whether heap dumps are compressed. */
    public enum Compression {
        /** Never: the plain {@code .hprof}, the fastest to write. */
        OFF,
        /** Always gzip: where disk, not time, is what is short. */
        GZIP,
        /** Gzip only when the plain dump does not fit the disk and the time before the kill allows it. */
        AUTO;

        /** The option's value ({@code off}, {@code gzip}, {@code auto}), {@code null} for anything else. */
        public static Compression of(String value) {
            for (Compression c : values()) {
                if (c.name().equalsIgnoreCase(value.trim())) {
                    return c;
                }
            }
            return null;
        }
    }

    /**
     * @param live        dump only live objects (forces a full GC first; smaller, faster to write, what a
     *                    leak hunt needs) rather than everything including garbage
     * @param force       dump even to a memory-backed file system
     * @param maxDumps    dumps tried per run (DONE or FAILED; SKIPPED does not count)
     * @param keep        our dump files kept in the directory, counting the new one
     * @param marginBytes free space required beyond the heap in use plus 10%
     */
    public record Settings(boolean live, boolean force, int maxDumps, int keep, long marginBytes,
                           Compression compression) {

        public static final int DEFAULT_MAX_DUMPS = 1;
        public static final int DEFAULT_KEEP = 3;
        public static final long DEFAULT_MARGIN_BYTES = 64L * 1024 * 1024;

        public Settings {
            compression = compression == null ? Compression.AUTO : compression;
        }

        public Settings(boolean live, boolean force, int maxDumps, int keep, long marginBytes) {
            this(live, force, maxDumps, keep, marginBytes, Compression.AUTO);
        }

        public static Settings defaults() {
            return new Settings(true, false, DEFAULT_MAX_DUMPS, DEFAULT_KEEP, DEFAULT_MARGIN_BYTES);
        }
    }

    /**
     * The dump itself: {@code HotSpotDiagnosticMXBean.dumpHeap}, or {@code GC.heap_dump -gz=1} when
     * compressed; replaceable in tests.
     */
    @FunctionalInterface
    interface Dump {
        void write(String path, boolean live, boolean gzip) throws IOException;

        /** Why this JVM cannot write a compressed dump now, {@code null} when it can. */
        default String gzipUnavailable() {
            return null;
        }
    }

    /** This JVM's dumps: plain through the MXBean, compressed through {@link GzipHeapDump}. */
    private static final Dump PLATFORM = new Dump() {
        @Override
        public void write(String path, boolean live, boolean gzip) throws IOException {
            if (gzip) {
                GzipHeapDump.write(path, live);
            } else {
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(path, live);
            }
        }

        @Override
        public String gzipUnavailable() {
            return GzipHeapDump.unavailable();
        }
    };

    private final EvidenceDirectory directory;
    private final Path mountinfo;
    private final Settings settings;
    private final ToLongFunction<Path> usableSpace;
    private final LongSupplier heapUsed;
    private final Dump dump;
    private final LongSupplier clock;
    private final long pid;
    private final Supplier<String> randomPart;

    private int attempts;
    private double bytesPerSecond = Double.NaN;

    /**
     * @param procRoot where procfs is mounted ({@code /proc}); {@code self/mountinfo} is read below it
     */
    public HeapDumper(EvidenceDirectory directory, Path procRoot, Settings settings) {
        this(directory, procRoot.resolve("self/mountinfo"), settings, HeapDumper::usableSpace,
                () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                PLATFORM,
                System::currentTimeMillis, ProcessHandle.current().pid(), EvidenceFiles::randomPart);
    }

    HeapDumper(EvidenceDirectory directory, Path mountinfo, Settings settings, ToLongFunction<Path> usableSpace,
               LongSupplier heapUsed, Dump dump, LongSupplier clock, long pid, Supplier<String> randomPart) {
        this.directory = directory;
        this.mountinfo = mountinfo;
        this.settings = settings;
        this.usableSpace = usableSpace;
        this.heapUsed = heapUsed;
        this.dump = dump;
        this.clock = clock;
        this.pid = pid;
        this.randomPart = randomPart;
    }

    /** Takes one dump if every safety check passes. Never throws. */
    public synchronized HeapDumpResult dump() {
        return dump(settings.live());
    }

    /** A dump with the given liveness (a person asking through JMX chooses it per call); no kill forecast. */
    public synchronized HeapDumpResult dump(boolean live) {
        return dump(live, Double.NaN);
    }

    /**
     * @param secondsLeft the forecast time to the limit ({@code NaN}: none forecast), which decides
     *                    whether a compressed dump has the time it needs ({@link Compression#AUTO})
     */
    public synchronized HeapDumpResult dump(boolean live, double secondsLeft) {
        try {
            return checkedDump(live, secondsLeft);
        } catch (LinkageError e) {
            // A runtime without java.management or jdk.management (jlink, --limit-modules).
            return HeapDumpResult.skipped("this runtime cannot write heap dumps: " + e);
        } catch (RuntimeException e) {
            return HeapDumpResult.failed(-1, "unexpected: " + e);
        }
    }

    /**
     * Why a dump cannot even start (no allowance left, no private directory), {@code null} when it
     * may: asked before "writing a heap dump" is said, so that line is not followed by "skipped".
     */
    public synchronized String unusable() {
        if (attempts >= settings.maxDumps()) {
            return "maxDumps reached: " + attempts + " of " + settings.maxDumps()
                    + " heap dump(s) already taken in this run";
        }
        EvidenceDirectory.Prepared dir = directory.prepare();
        return dir.ok() ? null : dir.reason();
    }

    private HeapDumpResult checkedDump(boolean live, double secondsLeft) {
        String unusable = unusable();
        if (unusable != null) {
            return HeapDumpResult.skipped(unusable);
        }
        EvidenceDirectory.Prepared dir = directory.prepare();
        Path d = dir.dir();
        if (!settings.force()) {
            String fsType;
            try {
                fsType = MountTable.fileSystemType(mountinfo, d.toRealPath());
            } catch (IOException e) {
                fsType = null; // Unknown: a missing mountinfo must not stop the evidence.
            }
            if (MountTable.memoryBacked(fsType)) {
                return HeapDumpResult.skipped(d + " is on " + fsType
                        + ", which is memory charged to this container's limit: a dump there would hasten"
                        + " the OOM kill (set a dumpDir on disk, or force to override)");
            }
        }
        long used = Math.max(heapUsed.getAsLong(), 0);
        long needed = used + used / 10 + settings.marginBytes();
        long neededGzip = (long) (used * GZIP_SIZE_SHARE) + settings.marginBytes();
        List<Path> old;
        try {
            old = EvidenceFiles.oldestBeyond(d, SUFFIXES, Math.max(settings.keep() - 1, 0));
        } catch (IOException e) {
            return HeapDumpResult.skipped("cannot list " + d + ": " + e.getMessage());
        }
        long usable = usableSpace.applyAsLong(d);
        if (usable < 0) {
            return HeapDumpResult.skipped("cannot tell the free space in " + d);
        }
        // Old dumps that retention would delete count as room: they go only if the dump proceeds.
        long room = usable + EvidenceFiles.sizeOf(old);
        boolean gzip;
        switch (settings.compression()) {
            case GZIP -> {
                String gzipUnavailable = dump.gzipUnavailable();
                // Where this JVM cannot compress, a plain dump (when it fits) is better evidence than none.
                gzip = gzipUnavailable == null || room < needed;
                if (gzip && gzipUnavailable != null) {
                    return HeapDumpResult.skipped("not enough disk space in " + d + " for a plain dump: " + room
                            + " bytes usable, " + needed + " needed, and no compressed dump: " + gzipUnavailable);
                }
                if (room < neededGzip) {
                    return HeapDumpResult.skipped("not enough disk space in " + d + ": " + room + " bytes usable, "
                            + neededGzip + " needed for a compressed dump (half the heap in use " + used
                            + " + margin " + settings.marginBytes() + ")");
                }
            }
            case AUTO -> {
                gzip = room < needed;
                if (gzip) {
                    // Asked only here: where the plain dump fits, the JVM's flags are not even read.
                    String gzipUnavailable = dump.gzipUnavailable();
                    double gzipSeconds = used / GZIP_BYTES_PER_SECOND;
                    String noGzip = room < neededGzip ? "nor for a compressed one (" + neededGzip + " needed)"
                            : gzipUnavailable != null ? "and no compressed dump: " + gzipUnavailable
                            : !Double.isNaN(secondsLeft) && secondsLeft < 2 * gzipSeconds
                            ? String.format(Locale.ROOT, "and a compressed one (expected %.1f s) has not twice its"
                                    + " time before the limit (forecast in %.1f s)", gzipSeconds, secondsLeft)
                            : null;
                    if (noGzip != null) {
                        return HeapDumpResult.skipped("not enough disk space in " + d + ": " + room + " bytes usable, "
                                + needed + " needed (heap in use " + used + " + 10% + margin " + settings.marginBytes()
                                + "), " + noGzip);
                    }
                }
            }
            default -> {
                gzip = false;
                if (room < needed) {
                    return HeapDumpResult.skipped("not enough disk space in " + d + ": " + room + " bytes usable, "
                            + needed + " needed (heap in use " + used + " + 10% + margin " + settings.marginBytes() + ")");
                }
            }
        }
        EvidenceFiles.delete(old);

        Path file = freshName(d, gzip ? GZIP_SUFFIX : SUFFIX);
        if (file == null) {
            return HeapDumpResult.skipped("no free file name in " + d);
        }
        attempts++;
        long start = System.nanoTime();
        try {
            dump.write(file.toString(), live, gzip);
        } catch (IOException | RuntimeException e) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            removePartial(file);
            return HeapDumpResult.failed(millis, "heap dump to " + file + " failed: " + e.getMessage());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return HeapDumpResult.failed(millis, file + " is not a regular file after the dump");
            }
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            long bytes = Files.size(file);
            if (!gzip) {
                // The plain dump's speed is what the policy's timing and the gzip estimate stand on.
                bytesPerSecond = millis > 0 ? bytes * 1000.0 / millis : Double.NaN;
            }
            return new HeapDumpResult(EvidenceStatus.DONE, file, bytes, millis, null);
        } catch (IOException e) {
            removePartial(file);
            return HeapDumpResult.failed(millis, "cannot secure " + file + ": " + e.getMessage());
        }
    }

    private Path freshName(Path dir, String suffix) {
        for (int i = 0; i < 5; i++) {
            Path p = dir.resolve(EvidenceFiles.name(pid, clock.getAsLong(), randomPart.get(), suffix));
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                return p;
            }
        }
        return null;
    }

    /** A failed dump may leave a truncated file; it holds secrets and helps nobody. */
    private static void removePartial(Path file) {
        try {
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(file);
            }
        } catch (IOException e) {
            // Nothing more to do; the directory is private.
        }
    }

    /** Dumps tried in this run (DONE or FAILED). */
    public synchronized int attempts() {
        return attempts;
    }

    /** The write speed of the last successful dump; {@code NaN} before one was measured. */
    public synchronized double measuredBytesPerSecond() {
        return bytesPerSecond;
    }

    /**
     * How long a dump of this much heap should take: {@code heapUsedBytes / bytesPerSecond}, with
     * {@link #DEFAULT_BYTES_PER_SECOND} when no speed is known ({@code NaN} or not positive).
     */
    public static double expectedSeconds(long heapUsedBytes, double bytesPerSecond) {
        double rate = bytesPerSecond > 0 ? bytesPerSecond : DEFAULT_BYTES_PER_SECOND;
        return Math.max(heapUsedBytes, 0) / rate;
    }

    static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
