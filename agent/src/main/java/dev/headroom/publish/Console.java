package dev.headroom.publish;

import dev.headroom.io.IsolatedWriter;

/**
 * The agent's lines for a person, on the process's standard error, each {@code headroom: ...}.
 *
 * <p>Written by a thread of their own ({@value #THREAD_NAME}): a standard error nobody drains (a
 * pipe to a log shipper that stopped, a terminal on hold) blocks {@code write} for ever, and the
 * tick that says "warning" must not stop there (issue 12). Lines keep their order; beyond
 * {@value #QUEUE_LINES} waiting they are dropped (the event log has the same facts). At exit
 * {@link #closeBy} waits for what was said, within the exit's deadline.
 */
public final class Console {

    static final String THREAD_NAME = "headroom-console";
    static final int QUEUE_LINES = 256;

    private final boolean quiet;
    private final IsolatedWriter writer;

    public Console(boolean quiet) {
        this(quiet, IsolatedWriter.named(THREAD_NAME, QUEUE_LINES));
    }

    Console(boolean quiet, IsolatedWriter writer) {
        this.quiet = quiet;
        this.writer = writer;
    }

    public void say(String line) {
        if (!quiet) {
            // Read at the write, not here: an application that replaces System.err gets the lines after.
            String text = "headroom: " + line;
            writer.offer(() -> System.err.println(text));
        }
    }

    /** The console's thread, for the watchdog. */
    public IsolatedWriter writer() {
        return writer;
    }

    /** Waits for the lines said until {@code deadlineNanos} ({@link System#nanoTime()}) at most; whether they went. */
    public boolean closeBy(long deadlineNanos) {
        return writer.close(deadlineNanos);
    }
}
