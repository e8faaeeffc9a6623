package dev.headroom.publish;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's lines to standard error are written by a thread of their own: a standard error that
 * blocks (a pipe nobody drains) holds that thread, never the one that said the line (issue 12).
 */
class ConsoleTest {

    /** A standard error whose writes wait until the test lets them go, as a full pipe's do. */
    private static final class StalledErr extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream written = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (written) {
                written.write(b, off, len);
            }
        }

        String text() {
            synchronized (written) {
                return written.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** What a test does with a console whose first line is stuck in the standard error's write. */
    private interface WithStalledErr {
        void run(Console console, StalledErr stalled) throws Exception;
    }

    private static void withStalledErr(WithStalledErr body) throws Exception {
        PrintStream original = System.err;
        StalledErr stalled = new StalledErr();
        System.setErr(new PrintStream(stalled, true, StandardCharsets.UTF_8));
        try {
            Console console = new Console(false);
            console.say("first");
            assertTrue(stalled.entered.await(10, TimeUnit.SECONDS), "the console's thread never wrote");
            body.run(console, stalled);
        } finally {
            stalled.release.countDown();
            System.setErr(original);
        }
    }

    @Test
    void aStandardErrorThatBlocksHoldsNotTheSayerAndTheLinesComeInOrderWhenItMovesAgain() throws Exception {
        withStalledErr((console, stalled) -> {
            // The first line is stuck in write; the sayer goes on at once, and keeps saying.
            for (int i = 0; i < 10; i++) {
                console.say("line " + i);
            }
            assertFalse(console.closeBy(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50)),
                    "a close while the write blocks gives up at its deadline");

            stalled.release.countDown();
            assertTrue(console.closeBy(System.nanoTime() + TimeUnit.SECONDS.toNanos(10)), "the lines went once it moved");
            StringBuilder expected = new StringBuilder("headroom: first").append(System.lineSeparator());
            for (int i = 0; i < 10; i++) {
                expected.append("headroom: line ").append(i).append(System.lineSeparator());
            }
            assertEquals(expected.toString(), stalled.text());
        });
    }

    @Test
    void beyondItsQueueLinesAreDroppedAndCountedNotHeld() throws Exception {
        withStalledErr((console, stalled) -> {
            for (int i = 0; i < Console.QUEUE_LINES + 50; i++) {
                console.say("line " + i);
            }
            assertEquals(50, console.writer().dropped());
            stalled.release.countDown();
            assertTrue(console.closeBy(System.nanoTime() + TimeUnit.SECONDS.toNanos(10)));
            assertEquals(1 + Console.QUEUE_LINES, stalled.text().lines().count());
        });
    }

    @Test
    void quietSaysNothingAndStartsNoThread() {
        Console console = new Console(true);
        console.say("nothing");
        assertTrue(console.closeBy(System.nanoTime()), "no thread to wait for");
        assertEquals(0, console.writer().dropped());
    }
}
