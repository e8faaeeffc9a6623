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
        double mibPerSecond = Rate.arg(args, 0, 30);
        long baselineMib = (long) Rate.arg(args, 1, 120);
        Rate pace = new Rate(mibPerSecond * 16, (long) Rate.arg(args, 2, 0));

        List<ByteBuffer> baseline = DirectMemory.allocateTouched(baselineMib);
        Rate.ready("heap-growth", mibPerSecond + " MiB/s, " + baselineMib + " MiB direct baseline");
        long id = 0;
        for (long n; (n = pace.step()) >= 0; ) {
            // 16 orders of 64 KiB make a MiB.
            for (long i = 0; i < n; i++) {
                RETAINED.add(new LeakedOrder(id++, 64 * 1024));
            }
        }
        Rate.done("heap-growth", RETAINED.size() + " orders, " + baseline.size() + " buffers");
    }
}
