package dev.headroom.sense.process;

import dev.headroom.sense.files.PseudoFiles;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads this process's memory from {@code procRoot/self/status}, falling back to {@code procRoot/self/smaps_rollup}
 * for the anonymous/file/shmem split when the kernel's status lacks it (before Linux 4.5).
 *
 * <p>Meant for one sampling thread. The files stay open between reads and are parsed straight from the
 * read buffer ({@link PseudoFiles}): a tick makes no String of them.
 */
public final class ProcessReader implements AutoCloseable {

    private final Path status;
    private final Path smapsRollup;
    /** Cleared once smaps_rollup is found missing, so a kernel without it is not asked again every tick. */
    private boolean smapsRollupPresent = true;
    private final PseudoFiles files = new PseudoFiles();

    /** @param procRoot usually {@code /proc} */
    public ProcessReader(Path procRoot) {
        Path self = procRoot.resolve("self");
        this.status = self.resolve("status");
        this.smapsRollup = self.resolve("smaps_rollup");
    }

    /**
     * This process's memory now.
     *
     * @throws IOException when {@code status} cannot be read; a missing or unreadable {@code smaps_rollup} only
     *                     leaves the split unknown
     */
    public ProcessMemory read() throws IOException {
        files.load(status);
        ProcessMemory fromStatus = ProcessStatus.parse(files.text());
        if (fromStatus.rssAnon() >= 0 || !smapsRollupPresent) {
            return fromStatus;
        }
        ProcessMemory fromRollup;
        try {
            files.load(smapsRollup);
            fromRollup = SmapsRollup.parse(files.text());
        } catch (NoSuchFileException e) {
            smapsRollupPresent = false;
            return fromStatus;
        } catch (IOException e) {
            return fromStatus;
        }
        return new ProcessMemory(
                fromStatus.rssBytes() >= 0 ? fromStatus.rssBytes() : fromRollup.rssBytes(),
                fromRollup.rssAnon(),
                fromStatus.rssFile() >= 0 ? fromStatus.rssFile() : fromRollup.rssFile(),
                fromStatus.rssShmem() >= 0 ? fromStatus.rssShmem() : fromRollup.rssShmem(),
                fromStatus.swapBytes() >= 0 ? fromStatus.swapBytes() : fromRollup.swapBytes(),
                fromStatus.vmSizeBytes(),
                fromStatus.threads());
    }

    /** Closes the files kept open; a later {@link #read()} opens them again. */
    @Override
    public void close() {
        files.close();
    }
}
