package dev.headroom.samples;

import java.util.concurrent.CountDownLatch;

/**
 * Threads that are started and never end (a pool without a bound, a timer per request), each
 * with part of its stack touched so it is resident.
 * Arguments: {@code [threads per second, default 50] [stack KiB touched, default 512] [seconds]}.
 */
public final class ThreadGrowth {
    static final CountDownLatch NEVER = new CountDownLatch(1);
    static volatile long sink;

    public static void main(String[] args) throws InterruptedException {
        double rate = Rate.arg(args, 0, 50);
        int stackKib = (int) Rate.arg(args, 1, 512);
        Rate pace = new Rate(rate, (long) Rate.arg(args, 2, 0));
        Rate.ready("thread-growth", rate + " threads/s, " + stackKib + " KiB of stack each");
        int started = 0;
        for (long n; (n = pace.step()) >= 0; ) {
            for (long i = 0; i < n; i++) {
                Thread t = new Thread(null, () -> {
                    touchStack(stackKib * 1024 / 1100);
                    try {
                        NEVER.await();
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                }, "grown-" + started++, 2L * stackKib * 1024);
                t.setDaemon(true);
                t.start();
            }
        }
        Rate.done("thread-growth", started + " threads");
    }

    /** Each frame holds about a kilobyte of locals, so the recursion makes that many stack pages resident. */
    private static long touchStack(int depth) {
        long a0 = depth, a1 = a0 * 3, a2 = a1 ^ 7, a3 = a2 + 11, a4 = a3 * 13, a5 = a4 - 17, a6 = a5 ^ 19, a7 = a6 + 23;
        long[] pad = null;
        if (depth <= 0) {
            return a7;
        }
        long r = touchStack(depth - 1) + a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
        sink = r;
        return r;
    }
}
