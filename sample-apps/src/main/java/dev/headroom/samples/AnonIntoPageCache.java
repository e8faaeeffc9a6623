package dev.headroom.samples;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Growing: fills the cgroup with page cache first (a file about the size of the limit, written
 * and read), then grows anonymous memory (touched direct buffers) at a steady rate. The kernel
 * reclaims the page cache as the anonymous memory grows, so the working set barely moves at
 * first, and then the kill comes. Arguments: {@code [file MiB, default 400] [MiB per second,
 * default 10] [directory]}.
 */
public final class AnonIntoPageCache {

    static volatile Object sink;

    public static void main(String[] args) throws IOException, InterruptedException {
        long fileMib = (long) Rate.arg(args, 0, 400);
        double rate = Rate.arg(args, 1, 10);
        Path dir = Path.of(args.length > 2 ? args[2] : System.getProperty("java.io.tmpdir"));
        Path file = Files.createTempFile(dir, "headroom-churn-", ".bin");
        ByteBuffer mib = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (long i = 0; i < fileMib; i++) {
                mib.clear();
                ch.write(mib, i << 20);
            }
            for (int pass = 0; pass < 2; pass++) {
                // Read twice: pages read again move to the active list.
                for (long i = 0; i < fileMib; i++) {
                    mib.clear();
                    ch.read(mib, i << 20);
                }
            }
            Rate.ready("anon-into-page-cache", fileMib + " MiB of page cache, then " + rate + " MiB/s anonymous");
            List<ByteBuffer> held = new ArrayList<>();
            Rate pace = new Rate(rate, 0);
            long read = 0;
            for (long n; (n = pace.step()) >= 0; ) {
                for (long i = 0; i < n; i++) {
                    ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
                    for (int p = 0; p < b.capacity(); p += 4096) {
                        b.put(p, (byte) 1);
                    }
                    held.add(b);
                }
                // Keep reading the file: the service still uses its cache while it leaks.
                mib.clear();
                ch.read(mib, (read++ % fileMib) << 20);
            }
            sink = held;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
