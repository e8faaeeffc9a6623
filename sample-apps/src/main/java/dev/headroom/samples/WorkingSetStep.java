package dev.headroom.samples;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A working set that jumps in one step: a steady baseline, then, at once, a block of touched
 * direct memory (a cache filled at start-up, a batch loaded whole). The timeliness measurement
 * sizes the step to cross the agent's critical share and times how soon the agent says so.
 *
 * <p>Arguments: {@code [step MiB, default 300] [seconds before the step, default 5]
 * [seconds held after it, default 5] [baseline MiB of direct memory, default 20]}. Prints
 * {@code working-set-step step: start=<epoch ms> end=<epoch ms>} around the step.
 */
public final class WorkingSetStep {

    public static void main(String[] args) throws InterruptedException {
        long stepMib = (long) Rate.arg(args, 0, 300);
        long before = (long) Rate.arg(args, 1, 5);
        long after = (long) Rate.arg(args, 2, 5);
        List<ByteBuffer> baseline = DirectMemory.allocateTouched((long) Rate.arg(args, 3, 20));
        Rate.ready("working-set-step", stepMib + " MiB in one step after " + before + " s");
        Thread.sleep(before * 1000);
        long start = System.currentTimeMillis();
        List<ByteBuffer> step = DirectMemory.allocateTouched(stepMib);
        long end = System.currentTimeMillis();
        System.out.println("working-set-step step: start=" + start + " end=" + end);
        System.out.flush();
        Thread.sleep(after * 1000);
        Rate.done("working-set-step", baseline.size() + step.size() + " MiB held");
    }
}
