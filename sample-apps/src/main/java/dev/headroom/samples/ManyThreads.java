package dev.headroom.samples;

import java.util.concurrent.CountDownLatch;

/**
 * An application with many threads, all parked (a thread-per-connection server at rest).
 * Arguments: {@code [threads, default 2000] [seconds to run after they started, default 10]}.
 * Prints "many-threads ready: ..." once all are started and "many-threads done: ..." at the end.
 */
public final class ManyThreads {
    static final CountDownLatch END = new CountDownLatch(1);

    public static void main(String[] args) throws InterruptedException {
        int threads = (int) Rate.arg(args, 0, 2000);
        long seconds = (long) Rate.arg(args, 1, 10);
        CountDownLatch started = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            // A small stack: 2,000 of them must fit any test machine, whatever its default -Xss.
            Thread t = new Thread(null, () -> {
                started.countDown();
                try {
                    END.await();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "parked-" + i, 256 * 1024);
            t.setDaemon(true);
            t.start();
        }
        started.await();
        Rate.ready("many-threads", threads + " threads parked");
        Thread.sleep(seconds * 1000);
        END.countDown();
        Rate.done("many-threads", threads + " threads");
    }
}
