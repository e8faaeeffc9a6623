package dev.headroom.publish;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Runs a test main in a fresh JVM on this test's class path: how the publishers are tested where
 * a JVM-wide thing matters (an {@code Instrumentation}, the platform MBean server reached from
 * outside, the classes a JVM has loaded).
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** This test's class path, without the entries the filter rejects (e.g. Micrometer's jars). */
    public static String classPath(Predicate<String> keep) {
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            // The jar's own name: a checkout's path may hold any word (a worktree named wt-micrometer).
            if (keep.test(java.nio.file.Path.of(entry).getFileName().toString())) {
                kept.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, kept);
    }

    /** Class path entries whose path contains the word (e.g. {@code micrometer}). */
    public static List<String> classPathEntries(String word) {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (java.nio.file.Path.of(entry).getFileName().toString().contains(word)) {
                out.add(entry);
            }
        }
        return out;
    }

    /**
     * A jar that is only a manifest naming {@code premainClass}, which the child finds on its class
     * path: the smallest real {@code -javaagent}, to get a real {@code Instrumentation}.
     */
    public static Path agentJar(Path dir, String premainClass) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Premain-Class", premainClass);
        main.putValue("Agent-Class", premainClass);
        main.putValue("Can-Retransform-Classes", "true");
        main.putValue("Can-Redefine-Classes", "true");
        Path jar = dir.resolve("test-agent.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // The manifest is the whole jar.
        }
        return jar;
    }

    /** The child's exit code and output. */
    public record Result(int exitCode, String stdout, String stderr) {
        public List<String> lines(String prefix) {
            return stdout.lines().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    /** Runs the command to its end (at most {@code seconds}); output goes to files in {@code dir}. */
    public static Result run(Path dir, List<String> command, long seconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the child JVM did not end within " + seconds + " s: " + command
                    + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
