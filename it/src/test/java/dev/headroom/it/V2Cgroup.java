package dev.headroom.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real cgroup v2 directory in the {@link V2Guest}'s pure cgroup2 hierarchy (at /sys/fs/cgroup), made
 * with every missing ancestor, each ancestor's {@code cgroup.subtree_control} given {@code +memory} so the
 * memory controller reaches it, as systemd and the kubelet do for their slices. Removed on close, deepest
 * first, after ending what runs in it.
 */
final class V2Cgroup implements AutoCloseable, CgroupPlace {

    static final Path ROOT = Path.of("/sys/fs/cgroup");

    private final Path directory;
    private final String path;
    private final List<Path> made;

    private V2Cgroup(Path directory, String path, List<Path> made) {
        this.directory = directory;
        this.path = path;
        this.made = made;
    }

    /** @param path e.g. {@code /kubepods.slice/kubepods-burstable.slice/...scope} */
    static V2Cgroup create(String path) throws IOException {
        Path dir = ROOT;
        List<Path> made = new ArrayList<>();
        for (String part : path.substring(1).split("/")) {
            String controllers = Files.readString(dir.resolve("cgroup.subtree_control"));
            if (!controllers.contains("memory")) {
                Files.writeString(dir.resolve("cgroup.subtree_control"), "+memory");
            }
            dir = dir.resolve(part);
            if (!Files.isDirectory(dir)) {
                Files.createDirectory(dir);
                made.add(0, dir);
            }
        }
        return new V2Cgroup(dir, path, made);
    }

    Path directory() {
        return directory;
    }

    String path() {
        return path;
    }

    /** The parent cgroup (not removed with this one unless this one made it). */
    Path parent() {
        return directory.getParent();
    }

    String read(String file) throws IOException {
        return Files.readString(directory.resolve(file), StandardCharsets.US_ASCII);
    }

    void write(String file, String value) throws IOException {
        Files.writeString(directory.resolve(file), value, StandardCharsets.US_ASCII);
    }

    /** A flat-keyed file ({@code memory.events}, {@code memory.stat}) as a map. */
    static Map<String, Long> keyed(Path file) throws IOException {
        Map<String, Long> values = new TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] kv = line.trim().split(" ");
            if (kv.length == 2) {
                values.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return values;
    }

    Map<String, Long> events() throws IOException {
        return keyed(directory.resolve("memory.events"));
    }

    long memoryMax() throws IOException {
        return Long.parseLong(read("memory.max").trim());
    }

    void move(long pid) throws IOException {
        write("cgroup.procs", Long.toString(pid));
    }

    @Override
    public List<String> wrap(List<String> command) {
        return List.of("/bin/sh", "-c", "echo $$ > '" + directory.resolve("cgroup.procs") + "' && exec" + quoted(command));
    }

    /**
     * As a container runtime starts a container with a private cgroup namespace: the shell enters this
     * cgroup, then {@code unshare --cgroup} makes it the namespace's root ({@code /proc/self/cgroup} says
     * {@code 0::/}). With {@code remount}, as runc and containerd do, a new mount namespace gets its own
     * cgroup2 mount at /sys/fs/cgroup, whose root is this cgroup; without, the old mount stays, and
     * mountinfo shows its root as {@code /..} paths above the namespace. util-linux's unshare, from the
     * host's root (busybox's lacks --cgroup).
     */
    CgroupPlace privateNamespace(boolean remount) {
        return command -> {
            // The kernel refuses the same cgroup2 superblock again on the root of its own mount (EBUSY),
            // so the namespace's copy of the old mount goes first; runc mounts into a fresh rootfs instead.
            String inner = remount ? "umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec"
                    + quoted(command)
                    : "exec" + quoted(command);
            return List.of("/bin/sh", "-c", "echo $$ > '" + directory.resolve("cgroup.procs") + "' && exec "
                    + "/usr/bin/unshare --cgroup" + (remount ? " --mount" : "") + " /bin/sh -c " + quote(inner));
        };
    }

    private static String quoted(List<String> command) {
        StringBuilder sh = new StringBuilder();
        for (String arg : command) {
            sh.append(' ').append(quote(arg));
        }
        return sh.toString();
    }

    private static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    @Override
    public void close() throws IOException {
        for (Path dir : made) {
            for (String pid : Files.readString(dir.resolve("cgroup.procs")).trim().split("\n")) {
                if (pid.isBlank()) {
                    continue;
                }
                ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(p -> {
                    p.destroyForcibly();
                    try {
                        p.onExit().get(60, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException("process " + p.pid() + " did not end", e);
                    }
                });
            }
            Files.delete(dir);
        }
    }
}
