package dev.headroom.samples;

import java.util.ArrayList;
import java.util.List;

/**
 * Healthy: a fixed live set that fills much of the heap, plus fast garbage, so heap use swings
 * up and down (the GC sawtooth) while nothing leaks. Arguments: {@code [live MiB, default 150]
 * [garbage MiB per second, default 200] [seconds, default 30]}.
 */
public final class GcSawtooth {
    static volatile Object sink;

    public static void main(String[] args) throws InterruptedException {
        long liveMib = (long) Rate.arg(args, 0, 150);
        double garbage = Rate.arg(args, 1, 200);
        Rate pace = new Rate(garbage, (long) Rate.arg(args, 2, 30));
        List<byte[]> live = new ArrayList<>();
        for (long i = 0; i < liveMib; i++) {
            live.add(touched(1024 * 1024));
        }
        Rate.ready("gc-sawtooth", liveMib + " MiB live, " + garbage + " MiB/s garbage");
        long made = 0;
        for (long n; (n = pace.step()) >= 0; ) {
            for (long i = 0; i < n; i++) {
                sink = touched(1024 * 1024);
                made++;
            }
        }
        Rate.done("gc-sawtooth", made + " MiB of garbage, " + live.size() + " MiB live");
    }

    private static byte[] touched(int bytes) {
        byte[] b = new byte[bytes];
        for (int p = 0; p < bytes; p += 4096) {
            b[p] = 1;
        }
        return b;
    }
}
