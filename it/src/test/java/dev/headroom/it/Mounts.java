package dev.headroom.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** File systems a test mounts (it runs as root), each unmounted on close, last first. */
final class Mounts implements AutoCloseable {

    private final List<Path> mounted = new ArrayList<>();

    /** Whether this machine lets the test mount (root, and a kernel that allows it here). */
    static boolean available(Path scratch) {
        Path probe = scratch.resolve("mount-probe");
        try {
            Files.createDirectories(probe);
            run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.toString());
            run("umount", probe.toString());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A tmpfs of the given size at {@code dir} (created 0700). */
    Path tmpfs(Path dir, String size) throws IOException {
        Files.createDirectories(dir);
        run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", dir.toString());
        mounted.add(dir);
        return dir;
    }

    /** {@code dir} bound onto itself read-only. */
    Path readOnly(Path dir) throws IOException {
        run("mount", "--bind", dir.toString(), dir.toString());
        mounted.add(dir);
        run("mount", "-o", "remount,bind,ro", dir.toString());
        return dir;
    }

    /** Changes a mounted tmpfs's size; fails (EINVAL) below what it already holds. */
    static void resize(Path tmpfs, long bytes) throws IOException {
        run("mount", "-o", "remount,size=" + bytes, tmpfs.toString());
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (int i = mounted.size() - 1; i >= 0; i--) {
            try {
                run("umount", mounted.get(i).toString());
            } catch (IOException e) {
                try {
                    // Something still holds it (a process the test failed to end): detach it anyway.
                    run("umount", "-l", mounted.get(i).toString());
                } catch (IOException again) {
                    failure = e;
                }
            }
        }
        mounted.clear();
        if (failure != null) {
            throw failure;
        }
    }

    static void run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
