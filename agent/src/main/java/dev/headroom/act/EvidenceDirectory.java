package dev.headroom.act;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
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
    private Prepared prepared;

    /**
     * @param dumpDirOption the {@code dumpDir} option, {@code null} when not given
     */
    public EvidenceDirectory(Path dumpDirOption) {
        this(dumpDirOption, EvidenceDirectory::heapDumpPathFlag, Path.of("").toAbsolutePath(),
                effectiveUid(Path.of("/proc")));
    }

    EvidenceDirectory(Path dumpDirOption, Supplier<String> heapDumpPathFlag, Path workingDir, long uid) {
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
            prepared = new Prepared(null, "cannot prepare the evidence directory under " + chosen() + ": " + e);
        }
        return prepared;
    }

    private Prepared make() throws IOException {
        Path base = chosen();
        if (!Files.exists(base)) {
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
        if (isPrivate(base, true)) {
            return new Prepared(base, null);
        }
        Path sub = base.resolve(PRIVATE_SUBDIRECTORY);
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

    /**
     * The effective uid, from the {@code Uid:} line of {@code /proc/self/status} (real, effective,
     * saved, fs): files are created with the fs uid, which follows the effective one. Works for
     * container users that have no passwd entry, where a user name would not. {@code -1} if unreadable.
     */
    static long effectiveUid(Path procRoot) {
        try (BufferedReader in = Files.newBufferedReader(procRoot.resolve("self/status"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).trim().split("\\s+");
                    return f.length > 1 ? Long.parseLong(f[1]) : Long.parseLong(f[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
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
