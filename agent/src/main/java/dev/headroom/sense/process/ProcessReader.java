package dev.headroom.sense.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads this process's memory from {@code procRoot/self/status}, falling back to {@code procRoot/self/smaps_rollup}
 * for the anonymous/file/shmem split when the kernel's status lacks it (before Linux 4.5).
 *
 * <p>Meant for one sampling thread.
 */
public final class ProcessReader {

    private final Path status;
    private final Path smapsRollup;
    /** Cleared once smaps_rollup is found missing, so a kernel without it is not asked again every tick. */
    private boolean smapsRollupPresent = true;

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
        ProcessMemory fromStatus = ProcessStatus.parse(readText(status));
        if (fromStatus.rssAnon() >= 0 || !smapsRollupPresent) {
            return fromStatus;
        }
        ProcessMemory fromRollup;
        try {
            fromRollup = SmapsRollup.parse(readText(smapsRollup));
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

    // proc files report size 0; readAllBytes reads to the end regardless. The text is ASCII.
    private static String readText(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    }
}
