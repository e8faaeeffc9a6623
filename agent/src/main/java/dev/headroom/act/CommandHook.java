package dev.headroom.act;

import dev.headroom.io.GuardedFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a command the user configured when the agent acts (opt-in), with the event's JSON on its
 * standard input, e.g. to page someone or copy the dump elsewhere. No shell is involved: the
 * command is an absolute path and its arguments. {@link #run(byte[])} only starts the process
 * (the JDK spawns through {@code posix_spawn}/{@code vfork}, so even a large JVM near its limit
 * does not copy its memory to do so) and returns; a daemon thread writes stdin, waits up to the
 * timeout, kills the process if it overruns, and reaps it. One hook runs at a time: while one is
 * running, further runs are refused, so a hook that hangs cannot pile up processes every tick.
 */
public final class CommandHook {

    public static final long DEFAULT_TIMEOUT_MILLIS = 30_000;

    /**
     * @param started whether the process was started
     * @param reason  why not, {@code null} when started
     */
    public record Started(boolean started, String reason) {
    }

    /**
     * How the last hook ended.
     *
     * @param exitCode the exit status, {@code -1} when it was killed or could not be waited for
     * @param timedOut whether it overran the timeout and was killed
     */
    public record Outcome(int exitCode, boolean timedOut, long millis, String detail) {
    }

    private final List<String> command;
    private final long timeoutMillis;
    private final Path output;
    private final String refusal;
    private volatile Thread running;
    private volatile Outcome lastOutcome;

    /**
     * @param command       absolute path of the program, then its arguments
     * @param timeoutMillis how long it may run before it is killed
     * @param output        file its stdout and stderr are appended to (created 0600); {@code null}: discarded
     */
    public CommandHook(List<String> command, long timeoutMillis, Path output) {
        this.command = List.copyOf(command);
        this.timeoutMillis = timeoutMillis > 0 ? timeoutMillis : DEFAULT_TIMEOUT_MILLIS;
        this.output = output;
        this.refusal = check(this.command);
    }

    /**
     * Splits a command line as the option gives it: words separated by spaces, with {@code '...'}
     * or {@code "..."} grouping words that contain spaces (no escapes, no variables, no shell).
     * An unclosed quote runs to the end.
     */
    public static List<String> split(String commandLine) {
        List<String> words = new ArrayList<>();
        if (commandLine == null) {
            return words;
        }
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < commandLine.length(); i++) {
            char c = commandLine.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Why this command cannot be a hook, or {@code null} when it can. */
    static String check(List<String> command) {
        if (command.isEmpty() || command.get(0).isBlank()) {
            return "no command given";
        }
        String program = command.get(0);
        Path p;
        try {
            p = Path.of(program);
        } catch (RuntimeException e) {
            return "not a path: " + program;
        }
        if (!p.isAbsolute()) {
            // A relative program would be looked up in PATH or the working directory, which
            // whoever controls those could then choose: refuse it.
            return "the hook command must be an absolute path, not '" + program + "'";
        }
        return null;
    }

    /** Why the configured command is refused, or {@code null} when it is usable. */
    public String refusal() {
        return refusal;
    }

    /**
     * Starts the command with {@code eventJson} on its stdin and returns at once. Never throws.
     */
    public Started run(byte[] eventJson) {
        if (refusal != null) {
            return new Started(false, refusal);
        }
        Thread previous = running;
        if (previous != null && previous.isAlive()) {
            return new Started(false, "the previous hook is still running");
        }
        Process process;
        long start = System.nanoTime();
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            if (output == null) {
                pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            process = pb.start();
        } catch (IOException | RuntimeException e) {
            return new Started(false, "cannot start " + command.get(0) + ": " + e.getMessage());
        }
        Thread copier = null;
        AtomicReference<String> outputNote = new AtomicReference<>("");
        if (output != null) {
            // Copied by a thread of ours into a file opened by GuardedFile, not Redirect.appendTo: the
            // JDK opens that path itself, following a link someone planted (hookOutput once appended
            // to a root-owned file), or waiting for ever on a FIFO. Opened there too, not on the
            // caller's (the agent's tick): an open on a hung file system would hold the tick.
            copier = new Thread(() -> copy(process, output, outputNote), "headroom-hook-output");
            copier.setDaemon(true);
            copier.start();
        }
        byte[] input = eventJson == null ? new byte[0] : eventJson.clone();
        Thread copying = copier;
        Thread reaper = new Thread(() -> reap(process, input, start, outputNote, copying), "headroom-hook");
        reaper.setDaemon(true);
        running = reaper;
        reaper.start();
        return new Started(true, null);
    }

    /** The output file, opened to append (see GuardedFile), created 0600 when missing. */
    private static FileChannel openOutput(Path output) throws IOException {
        FileChannel ch = GuardedFile.openForWriting(output, true);
        try {
            ch.position(ch.size());
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Why the configured output file cannot be used, {@code null} when it can (said once at start). */
    public String outputRefusal() {
        if (output == null) {
            return null;
        }
        try {
            openOutput(output).close();
            return null;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /**
     * Copies the hook's stdout and stderr into the output file until the hook closes them. An
     * output that cannot be opened is noted and the hook's output read and dropped, so that the
     * hook never blocks on a full pipe.
     */
    private static void copy(Process process, Path output, AtomicReference<String> note) {
        try (InputStream in = process.getInputStream()) {
            FileChannel out = null;
            try {
                out = openOutput(output);
            } catch (IOException e) {
                note.set("output discarded: " + e.getMessage() + "; ");
            }
            try (FileChannel to = out) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                    while (to != null && b.hasRemaining()) {
                        to.write(b);
                    }
                }
            }
        } catch (IOException e) {
            // The hook's output is best effort; its exit status is what is reported.
        }
    }

    private void reap(Process process, byte[] input, long start, AtomicReference<String> outputNote, Thread copier) {
        String stdinNote = "";
        // Written here, not on the caller's thread: a command that does not read its stdin
        // would block a writer once the pipe buffer (64 KiB) is full.
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input);
        } catch (IOException e) {
            stdinNote = "stdin not fully read (" + e.getMessage() + "); ";
        }
        String detail;
        try {
            boolean ended = process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (ended && copier != null) {
                // The output it wrote before exiting is in the file when the outcome is known (a
                // child it left behind holding the pipe open is not waited for beyond a second).
                copier.join(1_000);
            }
            detail = outputNote.get() + stdinNote;
            if (ended) {
                lastOutcome = new Outcome(process.exitValue(), false, millis, detail + "exit " + process.exitValue());
            } else {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                lastOutcome = new Outcome(-1, true, millis, detail + "timed out after " + timeoutMillis
                        + " ms; killed");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            lastOutcome = new Outcome(-1, false, (System.nanoTime() - start) / 1_000_000,
                    outputNote.get() + stdinNote + "interrupted; killed");
            Thread.currentThread().interrupt();
        }
    }

    /** How the last hook ended; {@code null} before one ended. */
    public Outcome lastOutcome() {
        return lastOutcome;
    }

    /** Waits up to {@code millis} for a running hook to end (for shutdown and tests); whether none runs now. */
    public boolean awaitIdle(long millis) {
        Thread t = running;
        if (t == null) {
            return true;
        }
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }
}
