package dev.headroom.samples;

/**
 * Does nothing for the given number of seconds (default 5): the baseline for cost measurements
 * and the JVM the agent is attached to in tests. Prints "idle ready" when started and "idle done"
 * at the end, so a test can wait for either.
 */
public final class Idle {
    public static void main(String[] args) throws InterruptedException {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
        System.out.println("idle ready");
        System.out.flush();
        Thread.sleep(seconds * 1000);
        System.out.println("idle done");
    }
}
