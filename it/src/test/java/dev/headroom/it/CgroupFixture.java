package dev.headroom.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code /proc} and {@code /sys/fs/cgroup} tree shaped like this machine's, for the agent's
 * {@code procRoot} and {@code cgroupRoot} options, so that a test can make cgroup files vanish or
 * turn unreadable under a running agent (cgroupfs itself would never let it). The memory cgroup's
 * files are copied from a real cgroup; {@code self/status} and the other per-process files are
 * links to {@code /proc/self/...}, which the kernel resolves in the reading process: the agent
 * reads its own JVM through them.
 */
final class CgroupFixture {

    static final String CGROUP_PATH = "/headroom-fixture";

    final Path procRoot;
    final Path cgroupRoot;
    /** The fixture's memory cgroup directory, the one the agent reads. */
    final Path memoryDir;

    private CgroupFixture(Path procRoot, Path cgroupRoot, Path memoryDir) {
        this.procRoot = procRoot;
        this.cgroupRoot = cgroupRoot;
        this.memoryDir = memoryDir;
    }

    /** Builds the tree under {@code root}, the memory cgroup copied from {@code source}. */
    static CgroupFixture create(Path root, MemoryCgroup source) throws IOException {
        Path proc = Files.createDirectories(root.resolve("proc"));
        Path self = Files.createDirectories(proc.resolve("self"));
        Files.copy(Path.of("/proc/self/mountinfo"), self.resolve("mountinfo"));
        List<String> membership = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            boolean memory = f.length == 3 && List.of(f[1].split(",")).contains("memory");
            membership.add(memory ? f[0] + ":" + f[1] + ":" + CGROUP_PATH : line);
        }
        Files.write(self.resolve("cgroup"), membership);
        for (String file : List.of("status", "smaps_rollup")) {
            Files.createSymbolicLink(self.resolve(file), Path.of("/proc/self/" + file));
        }
        Files.createSymbolicLink(proc.resolve("meminfo"), Path.of("/proc/meminfo"));
        if (Files.exists(Path.of("/proc/pressure/memory"))) {
            Files.createDirectories(proc.resolve("pressure"));
            Files.createSymbolicLink(proc.resolve("pressure/memory"), Path.of("/proc/pressure/memory"));
        }

        Path cgroupRoot = Files.createDirectories(root.resolve("sys/fs/cgroup"));
        Path memoryRoot = Files.createDirectories(cgroupRoot.resolve("memory"));
        copyFiles(Path.of("/sys/fs/cgroup/memory"), memoryRoot);
        Path dir = Files.createDirectories(memoryRoot.resolve(CGROUP_PATH.substring(1)));
        copyFiles(source.directory(), dir);
        return new CgroupFixture(proc, cgroupRoot, dir);
    }

    /** The agent options that point it at this tree. */
    String options() {
        return "procRoot=" + procRoot + ",cgroupRoot=" + cgroupRoot;
    }

    /** Copies the readable regular files (cgroupfs has write-only ones: memory.force_empty, ...). */
    private static void copyFiles(Path from, Path to) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(from)) {
            for (Path f : files) {
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                byte[] content;
                try {
                    content = Files.readAllBytes(f);
                } catch (IOException writeOnly) {
                    continue;
                }
                Files.write(to.resolve(f.getFileName().toString()), content);
            }
        }
    }

    void write(String file, String content) throws IOException {
        Files.writeString(memoryDir.resolve(file), content, StandardCharsets.US_ASCII);
    }
}
