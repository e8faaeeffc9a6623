package dev.headroom.samples;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A service whose heap grows steadily: it keeps every {@link LeakedOrder} it makes, the way a
 * cache without eviction or a listener list that is never cleared does.
 *
 * <p>Arguments: {@code [MiB per second, default 30] [direct-buffer baseline MiB, default 120]
 * [seconds to run, default forever]}. With {@code -XX:MaxRAMPercentage=80} in a 512 MiB cgroup
 * the heap's ceiling is above what the limit leaves for it, so the kernel kills the JVM before
 * the heap is full and no OutOfMemoryError (hence no HeapDumpOnOutOfMemoryError) ever happens.
 */
public final class HeapGrowth {

    /** The leaking class: a heap dump of this app should show many of these. */
    static final class LeakedOrder {
        final long id;
        final byte[] payload;

        LeakedOrder(long id, int bytes) {
            this.id = id;
            this.payload = new byte[bytes];
            // Touch the pages so they are resident, as real data would be.
            for (int i = 0; i < bytes; i += 4096) {
                payload[i] = (byte) id;
            }
        }
    }

    static final List<LeakedOrder> RETAINED = new ArrayList<>();

    public static void main(String[] args) throws InterruptedException {
        double mibPerSecond = args.length > 0 ? Double.parseDouble(args[0]) : 30;
        long baselineMib = args.length > 1 ? Long.parseLong(args[1]) : 120;
        long seconds = args.length > 2 ? Long.parseLong(args[2]) : Long.MAX_VALUE / 1000;

        List<ByteBuffer> baseline = DirectMemory.allocateTouched(baselineMib);
        System.out.println("heap-growth ready: " + mibPerSecond + " MiB/s, " + baselineMib + " MiB direct baseline");
        System.out.flush();

        int chunk = 64 * 1024;
        long bytesPerTick = (long) (mibPerSecond * 1024 * 1024 / 20);
        long id = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long next = System.nanoTime();
        while (System.nanoTime() < end) {
            for (long made = 0; made < bytesPerTick; made += chunk) {
                RETAINED.add(new LeakedOrder(id++, chunk));
            }
            next += 50_000_000L;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
            }
        }
        System.out.println("heap-growth done: " + RETAINED.size() + " orders, " + baseline.size() + " buffers");
    }
}
