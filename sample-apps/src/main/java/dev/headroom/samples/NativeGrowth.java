package dev.headroom.samples;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;

/**
 * Native memory the JVM does not track: zlib's own allocations behind {@link Deflater}s that are
 * kept and never ended (the classic leak of a stream left open). NMT does not see zlib's malloc,
 * so this shows up as native memory outside the JVM's tracking.
 * Arguments: {@code [Deflaters per second, default 200] [seconds, default forever]}.
 */
public final class NativeGrowth {
    static final List<Deflater> KEPT = new ArrayList<>();

    public static void main(String[] args) throws InterruptedException {
        double rate = Rate.arg(args, 0, 200);
        Rate pace = new Rate(rate, (long) Rate.arg(args, 1, 0));
        byte[] input = new byte[64 * 1024];
        new java.util.Random(42).nextBytes(input);
        byte[] output = new byte[128 * 1024];
        Rate.ready("native-growth", rate + " deflaters/s");
        for (long n; (n = pace.step()) >= 0; ) {
            for (long i = 0; i < n; i++) {
                // Level 9 with the largest window: zlib allocates about 256 KiB plus its buffers.
                Deflater d = new Deflater(9);
                d.setInput(input);
                d.deflate(output, 0, output.length, Deflater.SYNC_FLUSH);
                KEPT.add(d);
            }
        }
        Rate.done("native-growth", KEPT.size() + " deflaters");
    }
}
