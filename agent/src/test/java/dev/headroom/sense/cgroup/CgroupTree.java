package dev.headroom.sense.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A fixture host: {@code proc/} and {@code sys/fs/cgroup/} under one directory, as the kernel lays them out. */
final class CgroupTree {

    static final String V1_MEMORY_MOUNT =
            "30 25 0:25 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,memory\n";
    static final String V2_MOUNT =
            "32 23 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";
    static final long HOST_16_GIB = 16L << 30;

    final Path root;

    CgroupTree(Path root) {
        this.root = root;
    }

    /** A checked-in tree under {@code src/test/resources/cgroup/}. */
    static CgroupTree resource(String name) {
        URL url = CgroupTree.class.getResource("/cgroup/" + name);
        if (url == null) {
            throw new IllegalStateException("missing fixture " + name);
        }
        try {
            return new CgroupTree(Path.of(url.toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String resourceText(String path) {
        try {
            return Files.readString(resource(".").root.resolve(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CgroupTree write(String relative, String content) {
        try {
            Path file = root.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code sys/fs/cgroup/<dir>/<file>}. */
    CgroupTree cgroupFile(String dir, String file, String content) {
        String prefix = dir.isEmpty() || dir.equals("/") ? "sys/fs/cgroup/" : "sys/fs/cgroup/" + strip(dir) + "/";
        return write(prefix + file, content);
    }

    Path proc() {
        return root.resolve("proc");
    }

    Path cgroupRoot() {
        return root.resolve("sys/fs/cgroup");
    }

    Located locate(long hostMemoryBytes) throws IOException {
        return CgroupLocator.locate(proc(), cgroupRoot(), hostMemoryBytes);
    }

    CgroupMemoryReader reader(long hostMemoryBytes) throws IOException {
        Located located = locate(hostMemoryBytes);
        return located.reader().orElseThrow(() -> new AssertionError("no cgroup found; notes: " + located.notes()));
    }

    private static String strip(String dir) {
        return dir.startsWith("/") ? dir.substring(1) : dir;
    }
}
