package dev.headroom.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * A real, memory-limited child of this test's own v1 memory cgroup, removed on close. The tests
 * run as root on a machine with a writable cgroup v1 memory hierarchy; everything they assert
 * about limits and OOM kills is the kernel's own accounting.
 */
final class MemoryCgroup implements AutoCloseable, CgroupPlace {

    private static final Path V1_MEMORY = Path.of("/sys/fs/cgroup/memory");

    private final Path directory;
    private final String path;

    private MemoryCgroup(Path directory, String path) {
        this.directory = directory;
        this.path = path;
    }

    /** Creates {@code <own memory cgroup>/headroom-it-<random>} with the given hard limit. */
    static MemoryCgroup create(long limitBytes) throws IOException {
        String own = ownV1MemoryPath();
        String name = "headroom-it-" + UUID.randomUUID().toString().substring(0, 8);
        String path = (own.endsWith("/") ? own : own + "/") + name;
        Path dir = V1_MEMORY.resolve(path.substring(1));
        Files.createDirectory(dir);
        MemoryCgroup cgroup = new MemoryCgroup(dir, path);
        cgroup.write("memory.limit_in_bytes", Long.toString(limitBytes));
        return cgroup;
    }

    /** Fails (or skips, see {@link Prerequisites}) the test on a machine that cannot make v1 memory cgroups. */
    static void requireAvailable() {
        Prerequisites.require(available(), "root and a writable cgroup v1 memory hierarchy (/sys/fs/cgroup/memory)",
                "run the tests as root on a host with the v1 memory controller mounted read-write");
    }

    /** Whether this machine lets the test make v1 memory cgroups (it does where the project is built). */
    static boolean available() {
        try {
            String own = ownV1MemoryPath();
            return Files.isWritable(V1_MEMORY.resolve(own.substring(1)));
        } catch (IOException e) {
            return false;
        }
    }

    private static String ownV1MemoryPath() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains("memory")) {
                return f[2];
            }
        }
        throw new IOException("no v1 memory controller in /proc/self/cgroup");
    }

    Path directory() {
        return directory;
    }

    /** The cgroup's path inside the hierarchy, as the agent reports it. */
    String path() {
        return path;
    }

    long readLong(String file) throws IOException {
        return Long.parseLong(read(file).trim());
    }

    String read(String file) throws IOException {
        return Files.readString(directory.resolve(file), StandardCharsets.US_ASCII);
    }

    /** A key of {@code memory.stat} (e.g. {@code total_inactive_file}). */
    long stat(String key) throws IOException {
        for (String line : read("memory.stat").split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0 && line.substring(0, sp).equals(key)) {
                return Long.parseLong(line.substring(sp + 1).trim());
            }
        }
        throw new IOException("no " + key + " in memory.stat");
    }

    /** The kernel's count of OOM kills in this cgroup ({@code oom_kill} in memory.oom_control). */
    long oomKills() throws IOException {
        for (String line : read("memory.oom_control").split("\n")) {
            if (line.startsWith("oom_kill ")) {
                return Long.parseLong(line.substring("oom_kill ".length()).trim());
            }
        }
        return 0;
    }

    void write(String file, String value) throws IOException {
        Files.writeString(directory.resolve(file), value, StandardCharsets.US_ASCII);
    }

    /**
     * A shell prefix that moves the shell into this cgroup and then execs the command, so the JVM
     * is inside the limit from its first page.
     */
    @Override
    public List<String> wrap(List<String> command) {
        StringBuilder sh = new StringBuilder("echo $$ > '" + directory.resolve("cgroup.procs") + "' && exec");
        for (String arg : command) {
            sh.append(" '").append(arg.replace("'", "'\\''")).append('\'');
        }
        return List.of("/bin/sh", "-c", sh.toString());
    }

    @Override
    public void close() throws IOException {
        // Only our own children are here: end them, wait for each to be gone, remove the directory.
        for (String pid : read("cgroup.procs").trim().split("\n")) {
            if (pid.isBlank()) {
                continue;
            }
            ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(p -> {
                p.destroyForcibly();
                try {
                    p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("process " + p.pid() + " did not end", e);
                }
            });
        }
        Files.delete(directory);
    }
}
