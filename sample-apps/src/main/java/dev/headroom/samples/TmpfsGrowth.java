package dev.headroom.samples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Files written to a memory-backed file system ({@code /dev/shm} or a {@code medium: Memory}
 * emptyDir): their pages are shmem, charged to the cgroup and not reclaimable without swap,
 * although no process maps them. Arguments: {@code [MiB per second, default 10] [directory,
 * default /dev/shm] [seconds]}. The file is removed at a normal end.
 */
public final class TmpfsGrowth {

    public static void main(String[] args) throws IOException, InterruptedException {
        double rate = Rate.arg(args, 0, 10);
        Path dir = Path.of(args.length > 1 ? args[1] : "/dev/shm");
        Rate pace = new Rate(rate, (long) Rate.arg(args, 2, 0));
        Path file = Files.createTempFile(dir, "headroom-sample-", ".bin");
        ByteBuffer mib = ByteBuffer.allocate(1024 * 1024);
        long written = 0;
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            Rate.ready("tmpfs-growth", rate + " MiB/s into " + file);
            for (long n; (n = pace.step()) >= 0; ) {
                for (long i = 0; i < n; i++) {
                    mib.clear();
                    out.write(mib);
                    written++;
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        Rate.done("tmpfs-growth", written + " MiB");
    }
}
