package dev.headroom.agent;

import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Keeps HotSpot's C2 compiler away from the agent's own code: one compiler directive, added
 * through the {@code DiagnosticCommand} MBean ({@code Compiler.directives_add}), that excludes
 * {@code dev/headroom/*} (its relocated libraries included) from C2.
 *
 * <p>Why: code the agent runs once a second reaches C2's thresholds only after many minutes, and
 * then C2 spends tens of milliseconds compiling each hot method of it, more than the compiled code
 * ever saves at one tick a second (issue 17, docs/performance.md). HotSpot's tiered policy then
 * keeps such a method in C1 (level 1, without profiling), which costs the compiler threads a
 * fraction of C2's time. The application's code is not matched and compiles as before.
 *
 * <p>The directive is read from a file: written to a fresh temporary file (created exclusively,
 * mode 0600, so never through a link), read by the JVM and deleted at once. Where it cannot be had
 * (no writable temporary directory, a JVM without the command, {@code CompilerDirectivesLimit}
 * reached) nothing changes but the cost; no error reaches the application.
 */
final class OwnCompilation {

    static final String DIRECTIVE = "[{ match: \"dev/headroom/*.*\", c2: { Exclude: true } }]";

    private OwnCompilation() {
    }

    /** Adds the directive; {@code null} when added, else why not. Never throws. */
    static String keepC2Away() {
        Path file = null;
        try {
            file = Files.createTempFile("headroom-directive-", ".json",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(file, DIRECTIVE.getBytes(StandardCharsets.US_ASCII));
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            String text = out == null ? "" : out.toString().strip();
            // HotSpot answers "1 compiler directives added" (or says why it could not parse or add).
            return text.startsWith("1 ") ? null : text;
        } catch (Exception | LinkageError e) {
            return e.toString();
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // A 0600 file of 60 bytes in the temporary directory: nothing secret in it.
                }
            }
        }
    }
}
