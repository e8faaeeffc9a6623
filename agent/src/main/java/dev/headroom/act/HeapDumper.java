package dev.headroom.act;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
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

    /**
     * @param live        dump only live objects (forces a full GC first; smaller, faster to write, what a
     *                    leak hunt needs) rather than everything including garbage
     * @param force       dump even to a memory-backed file system
     * @param maxDumps    dumps tried per run (DONE or FAILED; SKIPPED does not count)
     * @param keep        our dump files kept in the directory, counting the new one
     * @param marginBytes free space required beyond the heap in use plus 10%
     */
    public record Settings(boolean live, boolean force, int maxDumps, int keep, long marginBytes) {

        public static final int DEFAULT_MAX_DUMPS = 1;
        public static final int DEFAULT_KEEP = 3;
        public static final long DEFAULT_MARGIN_BYTES = 64L * 1024 * 1024;

        public static Settings defaults() {
            return new Settings(true, false, DEFAULT_MAX_DUMPS, DEFAULT_KEEP, DEFAULT_MARGIN_BYTES);
        }
    }

    /** The dump itself: {@code HotSpotDiagnosticMXBean.dumpHeap}, replaceable in tests. */
    @FunctionalInterface
    interface Dump {
        void write(String path, boolean live) throws IOException;
    }

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
                (path, live) -> ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(path, live),
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

    /** A dump with the given liveness (a person asking through JMX chooses it per call). */
    public synchronized HeapDumpResult dump(boolean live) {
        try {
            return checkedDump(live);
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

    private HeapDumpResult checkedDump(boolean live) {
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
        long used = heapUsed.getAsLong();
        long needed = Math.max(used, 0) + Math.max(used, 0) / 10 + settings.marginBytes();
        List<Path> old;
        try {
            old = EvidenceFiles.oldestBeyond(d, SUFFIX, Math.max(settings.keep() - 1, 0));
        } catch (IOException e) {
            return HeapDumpResult.skipped("cannot list " + d + ": " + e.getMessage());
        }
        long usable = usableSpace.applyAsLong(d);
        if (usable < 0) {
            return HeapDumpResult.skipped("cannot tell the free space in " + d);
        }
        // Old dumps that retention would delete count as room: they go only if the dump proceeds.
        long room = usable + EvidenceFiles.sizeOf(old);
        if (room < needed) {
            return HeapDumpResult.skipped("not enough disk space in " + d + ": " + room + " bytes usable, "
                    + needed + " needed (heap in use " + used + " + 10% + margin " + settings.marginBytes() + ")");
        }
        EvidenceFiles.delete(old);

        Path file = freshName(d);
        if (file == null) {
            return HeapDumpResult.skipped("no free file name in " + d);
        }
        attempts++;
        long start = System.nanoTime();
        try {
            dump.write(file.toString(), live);
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
            bytesPerSecond = millis > 0 ? bytes * 1000.0 / millis : Double.NaN;
            return new HeapDumpResult(EvidenceStatus.DONE, file, bytes, millis, null);
        } catch (IOException e) {
            removePartial(file);
            return HeapDumpResult.failed(millis, "cannot secure " + file + ": " + e.getMessage());
        }
    }

    private Path freshName(Path dir) {
        for (int i = 0; i < 5; i++) {
            Path p = dir.resolve(EvidenceFiles.name(pid, clock.getAsLong(), randomPart.get(), SUFFIX));
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
