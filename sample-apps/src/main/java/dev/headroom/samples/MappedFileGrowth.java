package dev.headroom.samples;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Mapped files written through private mappings ({@code MapMode.PRIVATE}): every page written is
 * copied on write into anonymous memory, which the kernel cannot write back and drop as it can
 * clean page cache. The mapped buffer pool grows with it. Arguments: {@code [MiB per second,
 * default 10] [directory, default the temp dir] [seconds]}. The file is sparse and removed at the end.
 */
public final class MappedFileGrowth {
    static final List<MappedByteBuffer> KEPT = new ArrayList<>();

    public static void main(String[] args) throws IOException, InterruptedException {
        double rate = Rate.arg(args, 0, 10);
        Path dir = Path.of(args.length > 1 ? args[1] : System.getProperty("java.io.tmpdir"));
        Rate pace = new Rate(rate, (long) Rate.arg(args, 2, 0));
        Path file = Files.createTempFile(dir, "headroom-mapped-", ".bin");
        long mapped = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Rate.ready("mapped-growth", rate + " MiB/s through private mappings of " + file);
            for (long n; (n = pace.step()) >= 0; ) {
                for (long i = 0; i < n; i++) {
                    MappedByteBuffer b = channel.map(FileChannel.MapMode.PRIVATE, mapped * (1 << 20), 1 << 20);
                    for (int p = 0; p < b.capacity(); p += 4096) {
                        b.put(p, (byte) 1);
                    }
                    KEPT.add(b);
                    mapped++;
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        Rate.done("mapped-growth", mapped + " MiB");
    }
}
