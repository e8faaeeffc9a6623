package dev.headroom.io;

import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The writes to one of the agent's outputs (the event log, the flight file, the termination log),
 * done on a daemon thread of their own, so that a write that blocks holds that thread only. A
 * {@code write(2)} to a FIFO whose reader stopped reading waits for ever, and so does any system
 * call on a network file system whose server stopped answering (a "hard" NFS mount retries without
 * end, nfs(5)); on the agent's tick that meant no samples, no warning, no dump (issue 12).
 *
 * <p>Two ways to hand over a write, both returning at once:
 * <ul>
 *   <li>{@link #offer}: queued in order, up to the capacity; beyond it dropped and counted (the
 *       event log's lines: each one is news).</li>
 *   <li>{@link #replace}: only the newest counts (a file rewritten whole, like the flight file): a
 *       write handed over while an earlier one is still waiting replaces it, so a slow writer skips
 *       to the latest content instead of queueing without bound.</li>
 * </ul>
 * The caller's thread watches: {@link #stuckMillis} says how long the write in progress has run,
 * {@link #stuckFirstTime} answers yes once per run, for the one line that says so. At exit,
 * {@link #finish()} tells each output, then {@link #close(long)} waits until one deadline at most,
 * then gives up and leaves the thread where it is (a daemon: it does not hold the JVM). Nothing thrown by a write leaves the thread: the
 * first failure is kept for the caller to report once ({@link #failureOnce}).
 *
 * <p>The thread starts with the first write handed over, so an output configured but never
 * written costs no thread. {@link #inline()} runs each write on the caller's thread instead, for
 * tests of what an output writes.
 */
public final class IsolatedWriter {

    /** One write; may block, may throw. */
    @FunctionalInterface
    public interface Write {
        void run() throws IOException;
    }

    /** Work that gives a result; may block, may throw. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws IOException;
    }

    private static final Write END = () -> { };
    private static final Write TAKE_LATEST = () -> { };

    /** An offered write, counted against the capacity until the thread takes it. */
    private record Offered(Write write) implements Write {
        @Override
        public void run() throws IOException {
            write.run();
        }
    }

    private final String threadName;
    private final int capacity;
    /**
     * Unbounded: it holds at most {@link #capacity} offered writes, one mark of a pending
     * {@link #replace}, the end, and one wait per {@link #awaitIdle} caller.
     */
    private final BlockingQueue<Write> queue;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicReference<Write> latest = new AtomicReference<>();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean stuckTold = new AtomicBoolean();
    private final AtomicBoolean failureTold = new AtomicBoolean();
    private volatile IOException failure;
    /** {@code System.nanoTime()} when the write in progress began; 0 while idle. */
    private volatile long writingSince;
    private volatile boolean closed;
    private volatile Thread thread;

    private IsolatedWriter(String threadName, int capacity) {
        this.threadName = threadName;
        this.capacity = capacity;
        this.queue = threadName == null ? null : new LinkedBlockingQueue<>();
    }

    /**
     * @param threadName the thread's name, {@code headroom-...}
     * @param capacity   writes {@link #offer}ed that may wait; beyond them they are dropped
     */
    public static IsolatedWriter named(String threadName, int capacity) {
        if (threadName == null || !threadName.startsWith("headroom-")) {
            throw new IllegalArgumentException("the agent's threads are named headroom-...: " + threadName);
        }
        return new IsolatedWriter(threadName, Math.max(1, capacity));
    }

    /** Every write runs at once on the caller's thread (tests of what is written). */
    public static IsolatedWriter inline() {
        return new IsolatedWriter(null, 1);
    }

    /** Queues a write; {@code false} when the queue is full or the writer closed (the write is dropped). */
    public boolean offer(Write write) {
        if (closed) {
            return false;
        }
        if (queue == null) {
            runOne(write);
            return true;
        }
        start();
        // Only offered writes count against the capacity: the mark of a replace(), a wait for idle
        // and the end always get in, so a queue full of lines never keeps the latest write out.
        if (waiting.incrementAndGet() > capacity) {
            waiting.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }
        queue.add(new Offered(write));
        return true;
    }

    /**
     * Queues work whose result the caller wants, and may wait for with a bound of its own
     * ({@code get(timeout)}): a look at a directory that may be on a hung file system, say. The
     * future fails when the work throws (the failure is also kept, as for any write) or when it was
     * not taken (the queue full, the writer closed).
     */
    public <T> CompletableFuture<T> call(Call<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        boolean taken = offer(() -> {
            try {
                result.complete(call.run());
            } catch (IOException | RuntimeException | Error e) {
                result.completeExceptionally(e);
                throw e;
            }
        });
        if (!taken) {
            result.completeExceptionally(new IOException((threadName == null ? "the writer" : threadName)
                    + " did not take the work: " + (closed ? "closed" : capacity + " already waiting")));
        }
        return result;
    }

    /** Hands over a write that makes any earlier one not yet begun needless; it replaces that one. */
    public void replace(Write write) {
        if (closed) {
            return;
        }
        if (queue == null) {
            runOne(write);
            return;
        }
        start();
        // A mark goes into the queue only when no write was waiting: the thread takes whichever is
        // latest when it reaches the mark. A replace between the thread's take of the mark and its
        // getAndSet is taken by that getAndSet (the older one skipped); one after it finds the slot
        // empty and puts a new mark. So at most one mark waits, and the place kept for it is free.
        if (latest.getAndSet(write) == null) {
            queue.add(TAKE_LATEST);
        }
    }

    /** How long the write in progress has been running, {@code 0} when none is. */
    public long stuckMillis() {
        long since = writingSince;
        return since == 0 ? 0 : Math.max(0, (System.nanoTime() - since) / 1_000_000);
    }

    /** Whether one write has run {@code thresholdMillis} or more: yes only the first time it is so. */
    public boolean stuckFirstTime(long thresholdMillis) {
        return writingSince != 0 && stuckMillis() >= thresholdMillis && stuckTold.compareAndSet(false, true);
    }

    /** Writes dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Whether any write failed. */
    public boolean failed() {
        return failure != null;
    }

    /** The first failure, returned once (later calls and later failures: {@code null}). */
    public IOException failureOnce() {
        IOException f = failure;
        return f != null && failureTold.compareAndSet(false, true) ? f : null;
    }

    /**
     * Waits until what was handed over is written (for tests, and for a start that needs a result),
     * at most {@code millis}; whether it was.
     */
    public boolean awaitIdle(long millis) {
        if (queue == null) {
            return true;
        }
        if (closed) {
            return thread == null || !thread.isAlive();
        }
        start();
        CountDownLatch done = new CountDownLatch(1);
        queue.add(done::countDown);
        try {
            return done.await(millis, TimeUnit.MILLISECONDS) && latest.get() == null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Takes no more writes and lets the thread finish those handed over, without waiting: at exit
     * every output is told first, then each waited for by one deadline ({@link #close(long)}).
     */
    public void finish() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = thread;
        }
        if (t != null) {
            queue.add(END);
        }
    }

    /**
     * {@link #finish()}, then waits for the thread until {@code deadlineNanos}
     * ({@link System#nanoTime()}) at most.
     *
     * @return whether everything handed over was written by then; when not, the thread is left
     *         where it is
     */
    public boolean close(long deadlineNanos) {
        finish();
        Thread t = thread;
        if (t == null) {
            return true;
        }
        try {
            // timedJoin waits not at all when the time is up (a join(0) would wait for ever).
            TimeUnit.NANOSECONDS.timedJoin(t, deadlineNanos - System.nanoTime());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !t.isAlive();
    }

    private synchronized void start() {
        if (thread == null && !closed) {
            Thread t = new Thread(this::drain, threadName);
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    private void drain() {
        try {
            while (true) {
                Write next = queue.take();
                if (next == END) {
                    Write last = latest.getAndSet(null);
                    if (last != null) {
                        runOne(last);
                    }
                    return;
                }
                if (next instanceof Offered o) {
                    waiting.decrementAndGet();
                    next = o.write();
                } else if (next == TAKE_LATEST) {
                    next = latest.getAndSet(null);
                    if (next == null) {
                        continue;
                    }
                }
                runOne(next);
            }
        } catch (InterruptedException e) {
            // Nobody interrupts this thread but the JVM going away: stop.
            Thread.currentThread().interrupt();
        }
    }

    private void runOne(Write write) {
        writingSince = Math.max(1, System.nanoTime());
        try {
            write.run();
        } catch (IOException e) {
            keep(e);
        } catch (RuntimeException | Error e) {
            // A bug of ours (or an OutOfMemoryError) in one write must not end the thread: the next
            // write may work, and a dead thread would say nothing.
            keep(new IOException(e.toString(), e));
        } finally {
            writingSince = 0;
        }
    }

    private void keep(IOException e) {
        if (failure == null) {
            failure = e;
        }
    }
}
