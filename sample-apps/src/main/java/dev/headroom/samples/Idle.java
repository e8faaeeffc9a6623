package dev.headroom.samples;

/** Does nothing for the given number of seconds (default 5): the baseline for cost measurements. */
public final class Idle {
    public static void main(String[] args) throws InterruptedException {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
        Thread.sleep(seconds * 1000);
    }
}
