package dev.headroom.sense.files;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads the kernel's pseudo files ({@code /proc/self/status}, cgroup interface files, PSI) into one
 * reusable buffer, keeping each one open and re-reading it from offset 0.
 *
 * <p>Read through {@link RandomAccessFile} ({@code lseek} to 0, then {@code read} straight into the
 * array), not a {@code FileChannel}: the channel's positional read into a heap buffer goes through a
 * temporary direct buffer, interruptible-I/O bookkeeping and a dozen frames more, which cost little
 * once compiled but 13 µs a read in the interpreter, where code run once a second stays for its
 * first minutes (measured with {@code -Xint}: 13–15 µs a small file against 1.4 µs; docs/performance.md).
 *
 * <p>Why: on this kind of host an {@code open(2)}+{@code close(2)} pair costs 7–10 µs, more than
 * reading most of these files (measured, docs/performance.md), and the tick reads a dozen of them
 * every second. The kernel regenerates a procfs/kernfs file's content on every read from offset 0
 * (fs/seq_file.c, seq_read_iter: a read at position 0 restarts the iteration), so a kept descriptor
 * read with {@code pread(fd, buf, n, 0)} sees fresh values each time.
 *
 * <p>Only files on {@code proc}, {@code cgroup}, {@code cgroup2} and {@code sysfs} are kept open
 * (except cgroup v1's pid lists, {@code cgroup.procs} and {@code tasks}, which the kernel caches per
 * open file; see {@link #keepable});
 * any other file (a test fixture, a copied tree) is opened for every read as before, since a
 * regular file may be replaced by a new one that a kept descriptor would never see. A read that
 * fails closes the descriptor, so the next read opens the file again (the caller decides whether
 * to re-locate). A child process (the command hook) does not inherit them: the JDK's process
 * launcher closes every descriptor above standard error before it runs the command.
 *
 * <p>Not thread-safe; each reader owns one and calls {@link #close()} when it is replaced.
 */
public final class PseudoFiles implements AutoCloseable {

    /** Enough for any memory file; only cgroup.procs of a huge cgroup gets near, and then we read what fits. */
    private static final int MAX_BYTES = 8 << 20;
    private static final int MAX_KEPT = 32;
    /** See {@link #fill}: three quarters of the smallest page. */
    static final int SHORT_READ_IS_ALL = 3072;

    private byte[] buffer = new byte[8192];
    private int length;
    private final CharSequence text = new Text();

    // A handful of files per owner: parallel arrays, looked up by identity first (owners hold their
    // Paths in final fields) and by equality after.
    private final Path[] paths = new Path[MAX_KEPT];
    private final RandomAccessFile[] descriptors = new RandomAccessFile[MAX_KEPT];
    private int kept;
    /** Directories already known to be on a kernel file system (or not), so the lookup runs once per directory. */
    private final Path[] checkedDirs = new Path[MAX_KEPT];
    private final byte[] checkedKind = new byte[MAX_KEPT];
    private int checked;

    /** The buffer the last {@link #load} filled; valid up to {@link #length()}. Replaced when it grows. */
    public byte[] buffer() {
        return buffer;
    }

    /**
     * The last {@link #load}ed content as text, without copying: a view over the buffer (the
     * kernel's files are ASCII), valid until the next load. For parsers that take a {@link CharSequence}.
     */
    public CharSequence text() {
        return text;
    }

    /** Bytes read by the last {@link #load}. */
    public int length() {
        return length;
    }

    /**
     * Reads the whole file into {@link #buffer()} (sysfs reports sizes of 4096 and procfs of 0, so it
     * reads to the end, not to the size).
     *
     * @return the number of bytes read
     * @throws IOException when the file is missing or unreadable
     */
    public int load(Path file) throws IOException {
        int slot = slotOf(file);
        if (slot < 0) {
            if (!keepable(file)) {
                try (RandomAccessFile opened = open(file)) {
                    return fill(opened, false);
                }
            }
            RandomAccessFile opened = open(file);
            if (kept == MAX_KEPT) {
                try (opened) {
                    return fill(opened, true);
                }
            }
            slot = kept++;
            paths[slot] = file;
            descriptors[slot] = opened;
        }
        try {
            return fill(descriptors[slot], true);
        } catch (IOException | RuntimeException e) {
            forget(slot);
            throw e;
        }
    }

    /** Closes every kept descriptor; later loads open them again. */
    @Override
    public void close() {
        while (kept > 0) {
            forget(kept - 1);
        }
    }

    /** How many descriptors are kept open now. */
    public int openCount() {
        return kept;
    }

    /**
     * @param pseudo a kernel file: a short read that fits well inside one page is its whole content,
     *               so the read that would confirm the end is skipped: one system call less for every
     *               file, every tick (measured when these were positional reads, where seq_file
     *               regenerated the content to find a non-zero offset, fs/seq_file.c traverse). A
     *               kernel file read short of the request stops early only when its next record would
     *               overflow the kernel's buffer, at least a page; {@link #SHORT_READ_IS_ALL} leaves a
     *               quarter page for that record.
     */
    private int fill(RandomAccessFile file, boolean pseudo) throws IOException {
        // From offset 0 the kernel regenerates the content; the reads after the first continue it.
        file.seek(0);
        int n = 0;
        while (true) {
            if (n == buffer.length) {
                if (buffer.length >= MAX_BYTES) {
                    break;
                }
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
            int requested = buffer.length - n;
            int read = file.read(buffer, n, requested);
            if (read <= 0) {
                break;
            }
            n += read;
            if (pseudo && read < requested && n <= SHORT_READ_IS_ALL) {
                break;
            }
        }
        length = n;
        return n;
    }

    private static RandomAccessFile open(Path file) throws IOException {
        try {
            return new RandomAccessFile(file.toFile(), "r");
        } catch (java.io.FileNotFoundException e) {
            // RandomAccessFile says every failure to open (missing, denied, a directory) this way; the
            // callers tell a missing file (an optional one) from the others, as with java.nio.file.
            if (!Files.exists(file)) {
                throw new java.nio.file.NoSuchFileException(file.toString());
            }
            if (!Files.isReadable(file)) {
                throw new java.nio.file.AccessDeniedException(file.toString());
            }
            throw new java.nio.file.FileSystemException(file.toString(), null, e.getMessage());
        } catch (UnsupportedOperationException e) {
            throw new IOException(file + " is not on the default file system", e);
        }
    }

    private int slotOf(Path file) {
        for (int i = 0; i < kept; i++) {
            if (paths[i] == file) {
                return i;
            }
        }
        for (int i = 0; i < kept; i++) {
            if (paths[i].equals(file)) {
                return i;
            }
        }
        return -1;
    }

    private void forget(int slot) {
        RandomAccessFile opened = descriptors[slot];
        int last = --kept;
        paths[slot] = paths[last];
        descriptors[slot] = descriptors[last];
        paths[last] = null;
        descriptors[last] = null;
        try {
            opened.close();
        } catch (IOException e) {
            // Closing a read-only descriptor of a pseudo file cannot lose anything.
        }
    }

    private boolean keepable(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null) {
            return false;
        }
        byte kind = -1;
        for (int i = 0; i < checked; i++) {
            if (checkedDirs[i].equals(dir)) {
                kind = checkedKind[i];
                break;
            }
        }
        if (kind < 0) {
            kind = kindOf(dir);
            if (checked < MAX_KEPT) {
                checkedDirs[checked] = dir;
                checkedKind[checked++] = kind;
            }
        }
        if (kind == CGROUP_V1) {
            // cgroup v1 serves cgroup.procs and tasks from a cached pid list (kernel/cgroup/cgroup-v1.c,
            // cgroup_pidlist_start): an open file that asks again finds the same list, which the
            // kernel drops only a second after the last read. Kept open and read every tick (or
            // faster), it never changed again: a process moved out was still listed (found by
            // FaultCgroupIT). A fresh open builds the list anew.
            String name = String.valueOf(file.getFileName());
            return !"cgroup.procs".equals(name) && !"tasks".equals(name);
        }
        return kind != REGULAR;
    }

    private static final byte REGULAR = 0;
    private static final byte KERNEL = 1;
    private static final byte CGROUP_V1 = 2;

    private static byte kindOf(Path dir) {
        try {
            String type = Files.getFileStore(dir).type();
            return "cgroup".equals(type) ? CGROUP_V1 : isKernelType(type) ? KERNEL : REGULAR;
        } catch (IOException | RuntimeException e) {
            return REGULAR;
        }
    }

    /** Whether the directory is on procfs, cgroupfs (v1 or v2) or sysfs, whose files are regenerated on read. */
    static boolean isKernelFileSystem(Path dir) {
        try {
            return isKernelType(Files.getFileStore(dir).type());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean isKernelType(String type) {
        return "proc".equals(type) || "cgroup".equals(type) || "cgroup2".equals(type) || "sysfs".equals(type);
    }

    /** The buffer as ISO-8859-1 text; one instance, reused. */
    private final class Text implements CharSequence {
        @Override
        public int length() {
            return length;
        }

        @Override
        public char charAt(int index) {
            if (index < 0 || index >= length) {
                throw new IndexOutOfBoundsException(index);
            }
            return (char) (buffer[index] & 0xff);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return toString().substring(start, end);
        }

        @Override
        public String toString() {
            return new String(buffer, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }
}
