package dev.headroom.io;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IsolatedWriterTest {

    /** A write that blocks until the test lets it go, like a write(2) into a hung file system. */
    private static final class BlockedWrite implements IsolatedWriter.Write {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void run() throws IOException {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }

        void awaitEntered() throws InterruptedException {
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the writer's thread never reached the write");
        }
    }

    @Test
    void aBlockedWriteHoldsNeitherTheCallerNorTheExitBeyondItsDeadline() throws Exception {
        IsolatedWriter writer = IsolatedWriter.named("headroom-test-blocked", 4);
        BlockedWrite blocked = new BlockedWrite();
        try {
            writer.replace(blocked);
            blocked.awaitEntered();
            long handOver = System.nanoTime();
            for (int i = 0; i < 10_000; i++) {
                writer.replace(() -> { });
            }
            long handOverMillis = (System.nanoTime() - handOver) / 1_000_000;
            assertTrue(handOverMillis < 2_000, "handing over took " + handOverMillis + " ms");

            long closeStart = System.nanoTime();
            assertFalse(writer.close(closeStart + TimeUnit.MILLISECONDS.toNanos(200)), "the blocked write is not done");
            long closeMillis = (System.nanoTime() - closeStart) / 1_000_000;
            assertTrue(closeMillis >= 150 && closeMillis < 1_000, "close waited " + closeMillis + " ms for a 200 ms bound");
        } finally {
            blocked.release.countDown();
        }
    }

    @Test
    void aSlowWriterSkipsToTheLatestContent() throws Exception {
        IsolatedWriter writer = IsolatedWriter.named("headroom-test-latest", 4);
        List<Integer> written = new CopyOnWriteArrayList<>();
        BlockedWrite blocked = new BlockedWrite();
        writer.replace(blocked);
        blocked.awaitEntered();
        for (int i = 1; i <= 100; i++) {
            int n = i;
            writer.replace(() -> written.add(n));
        }
        blocked.release.countDown();
        assertTrue(writer.awaitIdle(10_000));
        // 1..99 were replaced while the thread was held: only the newest is written.
        assertEquals(List.of(100), written);
        assertTrue(writer.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10)));
    }

    @Test
    void offeredWritesKeepTheirOrderAndThoseBeyondTheCapacityAreCounted() throws Exception {
        IsolatedWriter writer = IsolatedWriter.named("headroom-test-queue", 3);
        List<Integer> written = new CopyOnWriteArrayList<>();
        BlockedWrite blocked = new BlockedWrite();
        assertTrue(writer.offer(blocked));
        blocked.awaitEntered();
        for (int i = 1; i <= 5; i++) {
            int n = i;
            writer.offer(() -> written.add(n));
        }
        // The latest-write mark still gets its place in a full queue.
        writer.replace(() -> written.add(99));
        assertEquals(2, writer.dropped());
        blocked.release.countDown();
        assertTrue(writer.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10)), "all written before the deadline");
        assertEquals(List.of(1, 2, 3, 99), written);
        assertFalse(writer.offer(() -> written.add(7)), "closed");
    }

    @Test
    void theWatchdogSaysOnceThatAWriteIsStuck() throws Exception {
        IsolatedWriter writer = IsolatedWriter.named("headroom-test-watchdog", 4);
        BlockedWrite blocked = new BlockedWrite();
        assertFalse(writer.stuckFirstTime(0), "idle is not stuck");
        writer.replace(blocked);
        blocked.awaitEntered();
        long since = System.nanoTime();
        while (writer.stuckMillis() < 50) {
            assertTrue(System.nanoTime() - since < TimeUnit.SECONDS.toNanos(10), "never counted as stuck");
            Thread.onSpinWait();
        }
        assertFalse(writer.stuckFirstTime(60_000), "not yet a minute");
        assertTrue(writer.stuckFirstTime(50));
        assertFalse(writer.stuckFirstTime(50), "said once");
        blocked.release.countDown();
        assertTrue(writer.awaitIdle(10_000));
        assertEquals(0, writer.stuckMillis());
    }

    @Test
    void aFailureIsKeptForTheCallerToReportOnceAndTheWritesGoOn() throws Exception {
        IsolatedWriter writer = IsolatedWriter.named("headroom-test-failure", 4);
        IOException first = new IOException("No space left on device");
        List<String> written = new CopyOnWriteArrayList<>();
        writer.offer(() -> {
            throw first;
        });
        writer.offer(() -> {
            throw new IllegalStateException("a bug of ours");
        });
        writer.offer(() -> written.add("after"));
        assertTrue(writer.awaitIdle(10_000));
        assertTrue(writer.failed());
        assertSame(first, writer.failureOnce());
        assertNull(writer.failureOnce(), "told once");
        assertEquals(List.of("after"), written);
    }

    @Test
    void inlineWritesRunOnTheCallersThread() {
        IsolatedWriter writer = IsolatedWriter.inline();
        Thread[] ran = new Thread[1];
        writer.replace(() -> ran[0] = Thread.currentThread());
        assertSame(Thread.currentThread(), ran[0]);
        assertTrue(writer.close(System.nanoTime()));
    }

    @Test
    void aWriterNeverUsedStartsNoThreadAndClosesAtOnce() {
        IsolatedWriter writer = IsolatedWriter.named("headroom-test-unused", 4);
        long before = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("headroom-test-unused")).count();
        assertEquals(0, before);
        assertTrue(writer.close(System.nanoTime()));
    }

    @Test
    void itsThreadIsADaemonNamedForTheAgent() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> IsolatedWriter.named("writer", 1));
        IsolatedWriter writer = IsolatedWriter.named("headroom-test-daemon", 1);
        Thread[] ran = new Thread[1];
        writer.offer(() -> ran[0] = Thread.currentThread());
        assertTrue(writer.awaitIdle(10_000));
        assertEquals("headroom-test-daemon", ran[0].getName());
        assertTrue(ran[0].isDaemon());
        assertTrue(writer.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10)));
    }

    @Test
    void toldFirstAndWaitedForByOneDeadlineAHungWriterCostsTheOthersNothing() throws Exception {
        IsolatedWriter hung = IsolatedWriter.named("headroom-test-hung", 4);
        IsolatedWriter healthy = IsolatedWriter.named("headroom-test-healthy", 4);
        BlockedWrite blocked = new BlockedWrite();
        List<String> written = new CopyOnWriteArrayList<>();
        try {
            hung.replace(blocked);
            blocked.awaitEntered();
            healthy.offer(() -> written.add("last words"));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            hung.finish();
            healthy.finish();
            assertFalse(hung.close(deadline), "the hung one did not finish");
            // Its turn comes after the hung one's whole wait: it had written meanwhile.
            assertTrue(healthy.close(deadline), "the healthy one finished within the same deadline");
            assertEquals(List.of("last words"), written);
        } finally {
            blocked.release.countDown();
        }
    }
}
