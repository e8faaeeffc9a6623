package dev.headroom.act;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Where evidence (heap dumps, histograms, NMT reports, the flight file) is written, and the
 * guarantee that the directory is private: owned by this process's user, with no group or other
 * permission bits. Heap dumps hold every secret the application has in memory; a private
 * directory also means nobody else can pre-place a file or a symbolic link at a name we will use.
 *
 * <p>The directory is chosen in this order: the {@code dumpDir} option; else the directory of
 * {@code -XX:HeapDumpPath} (the flag names a directory or a file); else the working directory.
 * When the chosen directory exists but is not private (a shared working directory, a volume
 * mounted 0755 or 1777), evidence goes into a subdirectory {@value #PRIVATE_SUBDIRECTORY},
 * created 0700. A missing directory is created 0700 and used as it is.
 *
 * <p>When none of that works (a read-only volume, a file where the directory should be, a
 * {@code headroom-dumps} someone else made first), heap dumps are off, and the small evidence
 * (histograms, NMT reports, the default flight file) goes to a private directory of our own,
 * {@code <java.io.tmpdir>/headroom-<uid>}, made and checked the same way; never into the
 * unusable directory itself, which may be shared.
 */
public final class EvidenceDirectory {

    /** The private subdirectory made inside a directory that is not private. */
    public static final String PRIVATE_SUBDIRECTORY = "headroom-dumps";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    /**
     * The outcome of {@link #prepare()}.
     *
     * @param dir    the private directory, {@code null} when it could not be made private
     * @param reason why not, {@code null} when {@code dir} is usable
     */
    public record Prepared(Path dir, String reason) {
        public boolean ok() {
            return reason == null;
        }
    }

    private final Path option;
    private final Supplier<String> heapDumpPathFlag;
    private final Path workingDir;
    private final long uid;
    private final Path fallbackBase;
    private Prepared prepared;
    private Prepared small;

    /**
     * @param dumpDirOption the {@code dumpDir} option, {@code null} when not given
     */
    public EvidenceDirectory(Path dumpDirOption) {
        this(dumpDirOption, EvidenceDirectory::heapDumpPathFlag, Path.of("").toAbsolutePath(),
                effectiveUid(Path.of("/proc")));
    }

    EvidenceDirectory(Path dumpDirOption, Supplier<String> heapDumpPathFlag, Path workingDir, long uid) {
        this(dumpDirOption, heapDumpPathFlag, workingDir, uid, Path.of(System.getProperty("java.io.tmpdir", "/tmp")));
    }

    EvidenceDirectory(Path dumpDirOption, Supplier<String> heapDumpPathFlag, Path workingDir, long uid,
                      Path fallbackBase) {
        this.fallbackBase = fallbackBase.toAbsolutePath();
        this.option = dumpDirOption;
        this.heapDumpPathFlag = heapDumpPathFlag;
        this.workingDir = workingDir.toAbsolutePath();
        this.uid = uid;
    }

    /** The directory chosen from the options, before the privacy step; never {@code null}. */
    public Path chosen() {
        if (option != null && !option.toString().isEmpty()) {
            return workingDir.resolve(option).normalize();
        }
        String flag = heapDumpPathFlag.get();
        if (flag != null && !flag.isBlank()) {
            // HotSpot takes HeapDumpPath as a directory when one exists there (it then writes
            // java_pid<pid>.hprof in it), else as the file's path: use that file's directory.
            Path p = workingDir.resolve(flag.trim()).normalize();
            if (Files.isDirectory(p)) {
                return p;
            }
            Path parent = p.getParent();
            return parent != null ? parent : workingDir;
        }
        return workingDir;
    }

    /**
     * Creates or checks the private directory. Remembered once it succeeds (re-checked that it
     * still exists); never throws.
     */
    public synchronized Prepared prepare() {
        if (prepared != null && prepared.ok() && Files.isDirectory(prepared.dir(), LinkOption.NOFOLLOW_LINKS)) {
            return prepared;
        }
        try {
            prepared = make();
        } catch (IOException | RuntimeException e) {
            prepared = new Prepared(null, "cannot prepare the evidence directory under " + chosen() + ": " + describe(e));
        }
        return prepared;
    }

    /**
     * Where small evidence goes (histograms, NMT reports, the default flight file): the private
     * directory of {@link #prepare()} when it can be had, else the private fallback under
     * {@code java.io.tmpdir}. Never throws.
     */
    public synchronized Prepared prepareSmall() {
        Prepared main = prepare();
        if (main.ok()) {
            return main;
        }
        if (small != null && small.ok() && Files.isDirectory(small.dir(), LinkOption.NOFOLLOW_LINKS)) {
            return small;
        }
        Path dir = fallbackBase.resolve("headroom-" + uid);
        try {
            small = privateSubdirectory(dir);
        } catch (IOException | RuntimeException e) {
            small = new Prepared(null, "cannot prepare " + dir + ": " + describe(e));
        }
        if (!small.ok()) {
            small = new Prepared(null, main.reason() + "; and the fallback: " + small.reason());
        }
        return small;
    }

    /** An I/O failure in words: a file system's reason names the file, without the class name. */
    static String describe(Exception e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        if (e instanceof java.nio.file.AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        return e.toString();
    }

    private Prepared make() throws IOException {
        Path base = chosen();
        if (!Files.exists(base)) {
            // dumpDir=/etc/passwd/dumps: the first ancestor that exists must be a directory, or
            // createDirectories says only "FileAlreadyExistsException: /etc/passwd".
            Path existing = base.getParent();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing != null && !Files.isDirectory(existing)) {
                return new Prepared(null, existing + " is not a directory");
            }
            Path parent = base.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (createPrivate(base)) {
                return new Prepared(base, null);
            }
        }
        if (!Files.isDirectory(base)) {
            return new Prepared(null, base + " is not a directory");
        }
        // The chosen directory itself may be reached through a link (volumes often are): the
        // user configured it. Only what we create below it must not be a link.
        String unwritable = unwritable(base);
        if (unwritable != null) {
            return new Prepared(null, unwritable);
        }
        if (isPrivate(base, true)) {
            return new Prepared(base, null);
        }
        return privateSubdirectory(base.resolve(PRIVATE_SUBDIRECTORY));
    }

    /**
     * Why nothing can be written in this directory, {@code null} when something can: said at start
     * rather than found by the dump in the last seconds (a read-only volume once got "writing a
     * heap dump" at critical, then "skipped"). {@code access(2)} reports {@code EROFS} even to root.
     */
    private String unwritable(Path dir) {
        if (Files.isWritable(dir)) {
            return null;
        }
        // The kernel's own reason (EROFS, EACCES), from a probe with a fresh name: O_EXCL, so it
        // cannot meet anything someone placed there, and deleted at once.
        try {
            Files.delete(Files.createTempFile(dir, ".headroom-probe-", ".tmp"));
            return null;
        } catch (java.nio.file.FileSystemException e) {
            return dir + " is not writable: " + (e.getReason() != null ? e.getReason() : "permission denied");
        } catch (IOException | RuntimeException e) {
            return dir + " is not writable by this process (uid " + uid + "): " + e;
        }
    }

    /** Makes (0700) or checks a directory of ours in a directory others may write. */
    private Prepared privateSubdirectory(Path sub) throws IOException {
        if (!Files.exists(sub, LinkOption.NOFOLLOW_LINKS)) {
            createPrivate(sub);
        }
        if (Files.isSymbolicLink(sub)) {
            return new Prepared(null, sub + " is a symbolic link; not following it");
        }
        if (!Files.isDirectory(sub, LinkOption.NOFOLLOW_LINKS)) {
            return new Prepared(null, sub + " exists and is not a directory");
        }
        long owner = ownerUid(sub);
        if (owner != uid) {
            return new Prepared(null, sub + " is owned by uid " + owner + ", not by this process (uid " + uid + ")");
        }
        // Ours, but someone loosened it: tighten it. Files others may have put in it are theirs
        // and are never opened: every evidence file gets a fresh, exclusively created name.
        if (!isPrivate(sub, false)) {
            Files.setPosixFilePermissions(sub, OWNER_ONLY);
        }
        return new Prepared(sub, null);
    }

    /** Creates the directory 0700; {@code false} when something appeared there first. */
    private static boolean createPrivate(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            return false;
        }
        // The umask can only narrow 0700, but set it anyway so the result does not depend on it.
        Files.setPosixFilePermissions(dir, OWNER_ONLY);
        return true;
    }

    private boolean isPrivate(Path dir, boolean followLinks) throws IOException {
        LinkOption[] options = followLinks ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        if (ownerUid(dir, options) != uid) {
            return false;
        }
        Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(dir, options));
        perms.removeAll(OWNER_ONLY);
        return perms.isEmpty();
    }

    static long ownerUid(Path p, LinkOption... options) throws IOException {
        Object v = Files.getAttribute(p, "unix:uid", options);
        return v instanceof Integer i ? i.longValue() & 0xFFFFFFFFL : -2;
    }

    private static long ownerUid(Path p) throws IOException {
        return ownerUid(p, LinkOption.NOFOLLOW_LINKS);
    }

    /** The effective uid: see {@link dev.headroom.io.GuardedFile#effectiveUid}. */
    static long effectiveUid(Path procRoot) {
        return dev.headroom.io.GuardedFile.effectiveUid(procRoot);
    }

    static String heapDumpPathFlag() {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("HeapDumpPath").getValue();
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: a runtime without the jdk.management module (jlink, --limit-modules).
            return null;
        }
    }
}
