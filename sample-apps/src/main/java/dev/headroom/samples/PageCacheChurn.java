package dev.headroom.samples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Healthy: reads and writes a disk file larger than the container's limit, again and again, so
 * the page cache fills to the limit and the kernel reclaims it, while the process's own memory
 * stays flat. Arguments: {@code [file MiB, default 768] [seconds, default 30] [directory]}.
 */
public final class PageCacheChurn {

    public static void main(String[] args) throws IOException, InterruptedException {
        long fileMib = (long) Rate.arg(args, 0, 768);
        long seconds = (long) Rate.arg(args, 1, 30);
        Path dir = Path.of(args.length > 2 ? args[2] : System.getProperty("java.io.tmpdir"));
        Path file = Files.createTempFile(dir, "headroom-churn-", ".bin");
        ByteBuffer mib = ByteBuffer.allocateDirect(1024 * 1024);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long passes = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Rate.ready("page-cache-churn", fileMib + " MiB file in " + dir);
            while (System.nanoTime() < end) {
                for (long i = 0; i < fileMib && System.nanoTime() < end; i++) {
                    mib.clear();
                    mib.put(0, (byte) i);
                    ch.write(mib, i << 20);
                }
                for (long i = 0; i < fileMib && System.nanoTime() < end; i++) {
                    mib.clear();
                    ch.read(mib, i << 20);
                }
                passes++;
            }
        } finally {
            Files.deleteIfExists(file);
        }
        Rate.done("page-cache-churn", passes + " passes");
    }
}
