package dev.headroom.samples;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Off-heap growth: direct buffers that are kept (a pool that never shrinks, a leaked Netty
 * buffer). The heap stays small; the direct buffer pool and the working set grow.
 * Arguments: {@code [MiB per second, default 10] [seconds, default forever]}.
 */
public final class DirectBufferGrowth {
    static final List<ByteBuffer> KEPT = new ArrayList<>();

    public static void main(String[] args) throws InterruptedException {
        double rate = Rate.arg(args, 0, 10);
        Rate pace = new Rate(rate, (long) Rate.arg(args, 1, 0));
        Rate.ready("direct-growth", rate + " MiB/s");
        for (long n; (n = pace.step()) >= 0; ) {
            KEPT.addAll(DirectMemory.allocateTouched(n));
        }
        Rate.done("direct-growth", KEPT.size() + " MiB");
    }
}
