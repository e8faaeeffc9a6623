package dev.headroom.act;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
            } else {
                if (!Files.exists(output, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createFile(output, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
                }
                pb.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
            }
            process = pb.start();
        } catch (IOException | RuntimeException e) {
            return new Started(false, "cannot start " + command.get(0) + ": " + e.getMessage());
        }
        byte[] input = eventJson == null ? new byte[0] : eventJson.clone();
        Thread reaper = new Thread(() -> reap(process, input, start), "headroom-hook");
        reaper.setDaemon(true);
        running = reaper;
        reaper.start();
        return new Started(true, null);
    }

    private void reap(Process process, byte[] input, long start) {
        String detail = "";
        // Written here, not on the caller's thread: a command that does not read its stdin
        // would block a writer once the pipe buffer (64 KiB) is full.
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input);
        } catch (IOException e) {
            detail = "stdin not fully read (" + e.getMessage() + "); ";
        }
        try {
            boolean ended = process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
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
            lastOutcome = new Outcome(-1, false, (System.nanoTime() - start) / 1_000_000, detail + "interrupted; killed");
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
