package dev.headroom.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Starts a sample app in its own JVM, optionally with the agent and inside a memory cgroup. */
final class AgentJvm implements AutoCloseable {

    static final Path AGENT_JAR = Path.of(System.getProperty("it.agentJar", "../agent/target/headroom-agent.jar"));
    static final Path SAMPLES_JAR = Path.of(System.getProperty("it.samplesJar",
            "../sample-apps/target/headroom-sample-apps.jar"));

    final Process process;
    final Path stdout;
    final Path stderr;

    private AgentJvm(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The {@code java} that runs the tests, so the build's JDK (17 or 25) is the one tested. */
    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /**
     * @param cgroup    where to run it, or {@code null}
     * @param jvmArgs   JVM options, e.g. {@code -javaagent:...}, {@code -Xmx...}
     * @param mainClass a class of the sample apps
     */
    static AgentJvm start(Path workDir, CgroupPlace cgroup, List<String> jvmArgs, String mainClass, String... args)
            throws IOException {
        return start(workDir, cgroup, jvmArgs, List.of(), mainClass, args);
    }

    /** As above, with more jars on the class path after the sample apps' (e.g. Micrometer's). */
    static AgentJvm start(Path workDir, CgroupPlace cgroup, List<String> jvmArgs, List<Path> classPath,
                          String mainClass, String... args) throws IOException {
        return start(workDir, cgroup, null, jvmArgs, classPath, mainClass, args);
    }

    /** As above, on another JDK's {@code java} ({@code null}: the build's own). */
    static AgentJvm start(Path workDir, CgroupPlace cgroup, String javaBinary, List<String> jvmArgs,
                          List<Path> classPath, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaBinary == null ? java() : javaBinary);
        command.addAll(jvmArgs);
        command.add("-cp");
        StringBuilder cp = new StringBuilder(SAMPLES_JAR.toAbsolutePath().toString());
        for (Path jar : classPath) {
            cp.append(java.io.File.pathSeparatorChar).append(jar.toAbsolutePath());
        }
        command.add(cp.toString());
        command.add(mainClass);
        command.addAll(List.of(args));
        if (cgroup != null) {
            command = cgroup.wrap(command);
        }
        Files.createDirectories(workDir);
        Path out = workDir.resolve("stdout.txt");
        Path err = workDir.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HEADROOM_") || k.equals("JAVA_TOOL_OPTIONS"));
        return new AgentJvm(pb.start(), out, err);
    }

    static String agentOption(String options) {
        return "-javaagent:" + AGENT_JAR.toAbsolutePath() + (options.isEmpty() ? "" : "=" + options);
    }

    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the sample app did not end within " + seconds + " s");
        }
        return process.exitValue();
    }

    String stderrText() throws IOException {
        return Files.readString(stderr);
    }

    String stdoutText() throws IOException {
        return Files.readString(stdout);
    }

    /** How many threads of this name the JVM {@code pid} has, from {@code jcmd Thread.print}. */
    static long threadsNamed(long pid, String name) throws IOException, InterruptedException {
        Path jcmd = Path.of(AgentJvm.java()).resolveSibling("jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                .redirectErrorStream(true).start();
        String dump = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), dump);
        return dump.lines().filter(l -> l.startsWith("\"" + name + "\" ")).count();
    }

    /** Waits until the app printed this on stdout. */
    void awaitStdout(String line, java.time.Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (!stdoutText().contains(line)) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("the app never printed '" + line + "'; stderr: " + stderrText());
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
