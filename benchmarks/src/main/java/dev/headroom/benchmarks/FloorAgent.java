package dev.headroom.benchmarks;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor of what Headroom's thread does: an agent whose one thread wakes once an interval and
 * reads, with {@code pread} into a direct buffer kept from tick to tick and through descriptors kept
 * open, the same kernel files as Headroom's full tick on this host (the memory cgroup's usage,
 * {@code memory.stat}, its event counters and pressure, {@code /proc/self/status} and
 * {@code /proc/self/cgroup}), and does nothing with them but look at their first byte. No parsing, no
 * MXBeans, no forecast, no publishing: what no agent that reads these files once an interval can
 * spend less than, in the same running JVM. {@code Harness cpu} runs it beside Headroom; its
 * thread's CPU per tick is the floor Headroom's is set against.
 */
public final class FloorAgent {

    /** The floor thread's name (its {@code comm}), counted like Headroom's threads. */
    static final String THREAD = "headroom-floor";

    private FloorAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        long intervalNanos = (args == null || args.isBlank() ? 1000 : Long.parseLong(args.trim())) * 1_000_000L;
        Thread t = new Thread(() -> loop(intervalNanos), THREAD);
        t.setDaemon(true);
        t.start();
    }

    private static void loop(long intervalNanos) {
        List<FileChannel> files = new ArrayList<>();
        for (Path p : files()) {
            try {
                files.add(FileChannel.open(p, StandardOpenOption.READ));
            } catch (IOException e) {
                // a file this kernel does not have: Headroom does not read it either
            }
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(16 * 1024);
        long sum = 0;
        long next = System.nanoTime();
        while (true) {
            next += intervalNanos;
            long wait;
            while ((wait = next - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            for (FileChannel f : files) {
                buffer.clear();
                try {
                    f.read(buffer, 0);
                } catch (IOException e) {
                    continue;
                }
                // The least parse there is: the first byte of the file (a number's first digit).
                sum += buffer.position() > 0 ? buffer.get(0) : 0;
            }
            if (sum == 42) {
                System.out.print("");
            }
        }
    }

    /** The files Headroom's full tick reads on this host, from this process's memory cgroup. */
    static List<Path> files() {
        List<Path> out = new ArrayList<>();
        String v1 = null;
        String v2 = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (Arrays.asList(f[1].split(",")).contains("memory")) {
                    v1 = f[2];
                } else if (f[0].equals("0") && f[1].isEmpty()) {
                    v2 = f[2];
                }
            }
        } catch (IOException e) {
            return out;
        }
        Path v1Root = Path.of("/sys/fs/cgroup/memory");
        if (v1 != null && Files.isDirectory(v1Root)) {
            Path dir = v1Root.resolve(v1.substring(1));
            for (String name : List.of("memory.usage_in_bytes", "memory.stat", "memory.kmem.usage_in_bytes",
                    "memory.failcnt", "memory.oom_control")) {
                out.add(dir.resolve(name));
            }
            out.add(Path.of("/proc/pressure/memory"));
        } else if (v2 != null) {
            Path dir = Path.of("/sys/fs/cgroup").resolve(v2.substring(1));
            for (String name : List.of("memory.current", "memory.stat", "memory.max", "memory.high", "memory.events",
                    "memory.pressure", "memory.swap.current", "cgroup.procs")) {
                out.add(dir.resolve(name));
            }
        }
        out.add(Path.of("/proc/self/status"));
        out.add(Path.of("/proc/self/cgroup"));
        return out;
    }

    /** Writes a jar holding only this class, with it as Premain-Class. */
    static Path jar(Path dir) throws IOException {
        return EmptyAgent.agentJar(dir.resolve("floor-agent.jar"), FloorAgent.class);
    }
}
