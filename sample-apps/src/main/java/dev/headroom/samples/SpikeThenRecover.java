package dev.headroom.samples;

import java.nio.ByteBuffer;

/**
 * Healthy: a burst that takes a large block of native memory for a moment (a big request, a
 * batch import) and gives it back. Arguments: {@code [spike MiB, default 200] [hold seconds,
 * default 2] [seconds in all, default 30]}. One large direct buffer is mmap'd by malloc and
 * unmapped when freed, so the working set really drops back.
 */
public final class SpikeThenRecover {

    public static void main(String[] args) throws InterruptedException {
        long spikeMib = (long) Rate.arg(args, 0, 200);
        long holdSeconds = (long) Rate.arg(args, 1, 2);
        long seconds = (long) Rate.arg(args, 2, 30);
        Rate.ready("spike", spikeMib + " MiB for " + holdSeconds + " s");
        Thread.sleep(Math.max(0, seconds / 3) * 1000);
        ByteBuffer spike = ByteBuffer.allocateDirect((int) (spikeMib * 1024 * 1024));
        for (int p = 0; p < spike.capacity(); p += 4096) {
            spike.put(p, (byte) 1);
        }
        System.out.println("spike taken");
        Thread.sleep(holdSeconds * 1000);
        spike = null;
        // Direct buffers are freed by a Cleaner after a GC notices them unreachable.
        System.gc();
        System.out.println("spike released");
        Thread.sleep(Math.max(0, seconds - seconds / 3 - holdSeconds) * 1000);
        Rate.done("spike", "recovered");
    }
}
