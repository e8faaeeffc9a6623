package dev.headroom.agent;

import dev.headroom.config.OptionException;
import dev.headroom.config.Options;
import dev.headroom.config.OptionsParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;

/**
 * {@code inspect <pid>} inside the JVM it inspects. The command loads this jar into the target
 * through the Attach API with arguments {@code @inspect:<path, base64url>:<options>}, and the
 * answer is written to that path, a file in a directory the command made private (0700) for it.
 * A file and not a socket: the agent opens no listening socket (it/SecurityIT), and the Attach API
 * returns nothing from {@code agentmain} but success or failure.
 *
 * <p>When the agent already watches this JVM, the answer is its latest tick (the same table as
 * its MBean's {@code report()}); otherwise one reading taken now, on the attach listener's
 * thread, and nothing is left running: no thread, no event log, no file but the answer.
 */
public final class InspectRequest {

    /** The start of the agent arguments that ask for an inspection rather than a start. */
    public static final String PREFIX = "@inspect:";

    private InspectRequest() {
    }

    /** The agent arguments that ask for the answer at {@code answer}, with these options (may be empty). */
    public static String arguments(String answer, String options) {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(answer.getBytes(StandardCharsets.UTF_8))
                + ":" + (options == null ? "" : options);
    }

    /** Answers the request. Never throws: a failure becomes the answer's text. */
    static void answer(String agentArgs, Instrumentation instrumentation) {
        String rest = agentArgs.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        Path answer;
        try {
            answer = Path.of(new String(Base64.getUrlDecoder().decode(colon < 0 ? rest : rest.substring(0, colon)),
                    StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            System.err.println("headroom: inspect: a malformed request was ignored");
            return;
        }
        String options = colon < 0 ? "" : rest.substring(colon + 1);
        String text;
        try {
            text = Inspection.ofRunningAgent();
            if (text == null) {
                text = freshReading(options, instrumentation);
            }
        } catch (Throwable t) {
            text = "headroom: inspect failed in process " + ProcessHandle.current().pid() + ": " + t + "\n";
        }
        try {
            // The command made the directory, 0700; CREATE_NEW refuses a file (or a link) already there.
            if (!Files.isDirectory(answer.getParent(), LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("not a directory: " + answer.getParent());
            }
            Files.writeString(answer, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            System.err.println("headroom: inspect: cannot write the answer to " + answer + ": " + e);
        }
    }

    private static String freshReading(String options, Instrumentation instrumentation) {
        Options parsed;
        try {
            parsed = OptionsParser.parse(options.isEmpty() ? null : options, System.getProperties(), System.getenv());
        } catch (OptionException e) {
            return e.getMessage().replace("agent disabled: ", "inspect: ") + "\n";
        }
        // Problems of the reading go with the answer, not into the application's stderr.
        ByteArrayOutputStream problems = new ByteArrayOutputStream();
        String table;
        try (PrintStream out = new PrintStream(problems, true, StandardCharsets.UTF_8)) {
            table = Inspection.fresh(parsed, instrumentation, "process " + ProcessHandle.current().pid()
                    + ", one reading now (no agent watches this JVM; `attach " + ProcessHandle.current().pid()
                    + "` starts one)", out);
        }
        return problems.toString(StandardCharsets.UTF_8) + table;
    }
}
