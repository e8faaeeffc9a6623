package dev.headroom.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Opens the agent's own files (event log, termination log, hook output, the previous flight file)
 * so that nobody else can turn them into something else: no symbolic link is followed, nothing but
 * a regular file is opened, and the open never blocks.
 *
 * <p>How, with what Java 17 offers (it has no {@code O_NONBLOCK} and no {@code fstat}):
 * <ol>
 *   <li>{@code lstat} the name ({@link LinkOption#NOFOLLOW_LINKS}): a link, a FIFO, a directory, a
 *       device or a socket is refused with its name. In a directory someone else can write (see
 *       {@link #sharedBy}), a file owned by another user, or one with a second hard link (a way to
 *       point us at a file of ours elsewhere), is refused too.</li>
 *   <li>Open with {@code O_NOFOLLOW} ({@code NOFOLLOW_LINKS}), so a link swapped in after the look
 *       fails the open ({@code ELOOP}) instead of being followed; a new file with
 *       {@code O_CREAT|O_EXCL} ({@code CREATE_NEW}) and mode 0600 from the start.</li>
 *   <li>Open <em>read-write</em>: on Linux {@code open(2)} of a FIFO with {@code O_RDWR} returns at
 *       once (fifo(7)), where {@code O_WRONLY} waits for a reader and {@code O_RDONLY} for a writer.
 *       So a FIFO swapped in between the look and the open cannot hold the thread.</li>
 *   <li>Check the opened descriptor: {@code lseek(2)} ({@link FileChannel#position()}) fails with
 *       {@code ESPIPE} on a FIFO, socket or terminal, whatever the name points at by then. Then
 *       {@code lstat} again: the same file (device and inode) as the first look.</li>
 * </ol>
 * What this cannot see on the descriptor is a character or block device swapped in between: making
 * one takes {@code CAP_MKNOD}, and a hard link to one would have to be on the same file system as
 * the directory, which {@code /dev} (devtmpfs) is not.
 */
public final class GuardedFile {

    /** The file types of {@code st_mode} (inode(7)). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFIFO = 0010000;

    private static final long UID = effectiveUid(Path.of("/proc"));

    private GuardedFile() {
    }

    /** A file refused for what it is or who owns it; its message is the one line to show. */
    public static final class RefusedException extends IOException {
        public RefusedException(String message) {
            super(message);
        }
    }

    /** This process's effective uid, the owner its new files get. */
    public static long uid() {
        return UID;
    }

    /**
     * Opens a regular file for writing (read-write, see the class comment), creating it 0600 when
     * it does not exist and {@code create} is set. The position is at its start.
     *
     * @throws NoSuchFileException when it does not exist and {@code create} is false
     * @throws RefusedException    when it is not a regular file of ours to write
     */
    public static FileChannel openForWriting(Path file, boolean create) throws IOException {
        return openForWriting(file, create, false);
    }

    /**
     * As {@link #openForWriting(Path, boolean)}; with {@code fifoOfOurs}, also a FIFO that this
     * process's user made in a directory nobody else can write (a pipe to a log collector, set up
     * on purpose). It is opened read-write, so the open never waits for a reader; a write waits
     * when the pipe is full, which only a writer on its own thread may do (the event log).
     */
    public static FileChannel openForWriting(Path file, boolean create, boolean fifoOfOurs) throws IOException {
        Path path = file.toAbsolutePath();
        if (fifoOfOurs && ourFifo(path)) {
            FileChannel ch = open(path, null, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (!ourFifo(path)) {
                ch.close();
                throw new RefusedException(path + " was replaced while it was being opened");
            }
            return ch;
        }
        Map<String, Object> before = look(path);
        if (before == null && !create) {
            throw new NoSuchFileException(path.toString());
        }
        FileChannel ch;
        if (before == null) {
            try {
                ch = FileChannel.open(path, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                                StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // Something appeared at the name between the look and the open: look again.
                before = look(path);
                if (before == null) {
                    throw e;
                }
                ch = open(path, before, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
        } else {
            ch = open(path, before, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return checked(path, ch, before);
    }

    /**
     * Reads a whole regular file of at most {@code maxBytes}.
     *
     * @throws NoSuchFileException when it does not exist
     * @throws RefusedException    when it is not a regular file we may read, or is larger
     */
    public static byte[] read(Path file, long maxBytes) throws IOException {
        Path path = file.toAbsolutePath();
        Map<String, Object> before = look(path);
        if (before == null) {
            throw new NoSuchFileException(path.toString());
        }
        long size = ((Number) before.get("size")).longValue();
        if (size > maxBytes) {
            throw new RefusedException(path + " is " + size + " bytes, more than the " + maxBytes + " it can be");
        }
        FileChannel ch;
        try {
            ch = open(path, before, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (FileSystemException e) {
            // Not writable (a read-only file or file system): O_RDONLY would wait on a FIFO swapped in,
            // which only someone who can write the directory could do.
            String shared = sharedBy(path.getParent());
            if (shared != null) {
                throw new RefusedException("not reading " + path + ": it cannot be opened read-write (" + reason(e)
                        + ") and " + shared);
            }
            ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        }
        try (FileChannel in = checked(path, ch, before)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(maxBytes + 1, Math.max(size + 1, 4096)));
            while (buf.hasRemaining() && in.read(buf) >= 0) {
                // read until the end or one byte beyond the bound
            }
            if (buf.position() > maxBytes) {
                throw new RefusedException(path + " is larger than the " + maxBytes + " bytes it can be");
            }
            byte[] out = new byte[buf.position()];
            buf.flip().get(out);
            return out;
        }
    }

    private static FileChannel open(Path path, Map<String, Object> before, OpenOption... options) throws IOException {
        Set<OpenOption> set = new java.util.HashSet<>(Set.of(options));
        set.add(LinkOption.NOFOLLOW_LINKS);
        try {
            return FileChannel.open(path, set);
        } catch (FileSystemException e) {
            // ELOOP: a link was swapped in after the look; O_NOFOLLOW refused it.
            if (Files.isSymbolicLink(path)) {
                throw new RefusedException(path + " is a symbolic link; not following it");
            }
            throw e;
        }
    }

    /** The checks on the opened descriptor, then the second look; closes it when refused. */
    private static FileChannel checked(Path path, FileChannel ch, Map<String, Object> before) throws IOException {
        try {
            try {
                ch.position();
            } catch (IOException e) {
                throw new RefusedException(path + " is not a regular file (it cannot seek: a FIFO, socket or terminal)");
            }
            Map<String, Object> after = look(path);
            if (after == null || (before != null && !(after.get("ino").equals(before.get("ino"))
                    && after.get("dev").equals(before.get("dev"))))) {
                throw new RefusedException(path + " was replaced while it was being opened");
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The first look: {@code null} when nothing is there; refused when it is not a regular file of
     * ours to use.
     */
    private static Map<String, Object> look(Path path) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(path, "unix:mode,uid,ino,dev,nlink,size", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        int mode = (Integer) a.get("mode");
        if ((mode & S_IFMT) != S_IFREG) {
            throw new RefusedException(path + " is " + kind(mode) + ", not a regular file; not opening it");
        }
        String shared = sharedBy(path.getParent());
        if (shared != null) {
            long owner = ((Integer) a.get("uid")).longValue() & 0xFFFFFFFFL;
            if (owner != UID) {
                throw new RefusedException(path + " is owned by uid " + owner + ", not by this process (uid " + UID
                        + "), and " + shared + "; not opening it");
            }
            if ((Integer) a.get("nlink") > 1) {
                throw new RefusedException(path + " has another hard link, and " + shared + "; not opening it");
            }
        }
        return a;
    }

    /** A FIFO owned by us in a directory only we and root can write: nobody else can swap it. */
    private static boolean ourFifo(Path path) throws IOException {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
            return ((Integer) a.get("mode") & S_IFMT) == S_IFIFO
                    && (((Integer) a.get("uid")).longValue() & 0xFFFFFFFFL) == UID
                    && sharedBy(path.getParent()) == null;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** What a file of this {@code st_mode} is, in words. */
    static String kind(int mode) {
        return switch (mode & S_IFMT) {
            case 0120000 -> "a symbolic link";
            case 0010000 -> "a FIFO";
            case 0040000 -> "a directory";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            case S_IFREG -> "a regular file";
            default -> "of unknown type";
        };
    }

    /**
     * Why this directory is one that another user can write to, or {@code null} when only this
     * process's user and root can: group or other write permission, or an owner other than those
     * two. A file found in a directory that only we and root can write was put there by one of us.
     */
    public static String sharedBy(Path dir) {
        if (dir == null) {
            return null;
        }
        try {
            Map<String, Object> a = Files.readAttributes(dir, "unix:mode,uid");
            int mode = (Integer) a.get("mode");
            long owner = ((Integer) a.get("uid")).longValue() & 0xFFFFFFFFL;
            if ((mode & 0022) != 0) {
                return "its directory " + dir + " is writable by others (mode "
                        + String.format("%04o", mode & 07777) + ")";
            }
            if (owner != UID && owner != 0) {
                return "its directory " + dir + " is owned by uid " + owner;
            }
            return null;
        } catch (NoSuchFileException e) {
            // Not made yet: it will be made (by us) in its parent, which is then the one to judge.
            return sharedBy(dir.toAbsolutePath().getParent());
        } catch (IOException | RuntimeException e) {
            return "its directory " + dir + " cannot be checked (" + e.getMessage() + ")";
        }
    }

    private static String reason(FileSystemException e) {
        return e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    }

    /**
     * The effective uid, from the {@code Uid:} line of {@code /proc/self/status} (real, effective,
     * saved, fs): files are created with the fs uid, which follows the effective one. Works for
     * container users that have no passwd entry, where a user name would not. {@code -1} if unreadable.
     */
    public static long effectiveUid(Path procRoot) {
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
}
