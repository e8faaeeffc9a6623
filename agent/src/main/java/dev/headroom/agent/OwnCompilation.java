package dev.headroom.agent;

import dev.headroom.act.DiagnosticCommands;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

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
 * <p>The directive is read from a file: written to a fresh file in the temporary directory
 * (created exclusively, mode 0600, so never through a link), read by the JVM and deleted at once.
 * Where it cannot be had (no writable temporary directory, a JVM without the command, {@code CompilerDirectivesLimit}
 * reached) nothing changes but the cost; no error reaches the application. Where C2 is not used in
 * tiers ({@code -XX:-TieredCompilation}, {@code -XX:TieredStopAtLevel} below 4) nothing is added.
 */
final class OwnCompilation {

    static final String DIRECTIVE = "[{ match: \"dev/headroom/*.*\", c2: { Exclude: true } }]";

    private OwnCompilation() {
    }

    /**
     * Adds the directive; {@code null} when added or not needed (no C2 in use: then nothing is
     * added, since without tiers excluding C2 would leave the code interpreted), else why not.
     * Never throws.
     */
    static String keepC2Away() {
        if (!tieredWithC2()) {
            return null;
        }
        Path file = null;
        try {
            // Not Files.createTempFile: its random name comes from a SecureRandom, whose first use
            // seeds itself and loads its providers: with it this call took the agent's thread
            // 17-20 ms at 10 s after start, 3-5 ms without (issue 17).
            // CREATE_NEW is O_CREAT|O_EXCL: a name taken already, a link included, fails, and
            // nothing but the cost changes.
            Path candidate = Path.of(System.getProperty("java.io.tmpdir"),
                    "headroom-directive-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".json");
            try (SeekableByteChannel out = Files.newByteChannel(candidate,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                file = candidate;
                out.write(ByteBuffer.wrap(DIRECTIVE.getBytes(StandardCharsets.US_ASCII)));
            }
            String text = DiagnosticCommands.platform().run("compilerDirectivesAdd", file.toString()).strip();
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

    /**
     * Whether the JVM compiles in tiers up to C2: only then does a C1-only directive leave the code
     * compiled. {@code -XX:-TieredCompilation} (C2 alone) and {@code -XX:TieredStopAtLevel=1..3}
     * (no C2) need none. Unknown flags (not HotSpot) count as no.
     */
    static boolean tieredWithC2() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean hotspot =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return hotspot != null && "true".equals(hotspot.getVMOption("TieredCompilation").getValue())
                    && Integer.parseInt(hotspot.getVMOption("TieredStopAtLevel").getValue()) >= 4;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
