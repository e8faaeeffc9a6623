package dev.headroom.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Linux kernel with a pure cgroup2 hierarchy, booted under QEMU's software emulation (TCG),
 * for tests this machine's cgroup v1 host cannot run. The guest is Debian's own kernel
 * ({@code linux-image-amd64}, fetched with {@code apt-get download}, unpacked with {@code dpkg -x}),
 * a static busybox as {@code /init} in an initramfs, and the host's root shared read-only over 9p,
 * so the guest runs the host's JDK and this build's jars as they are. A second, writable 9p share
 * (the run directory, mounted at its own host path) brings results back. No network device.
 *
 * <p>Why TCG: this host's {@code /dev/kvm} is a paravirtual flavour a stock kernel crashes on at its
 * first system call. TCG runs guest code about 20 times slower than the host (a JVM hello-world
 * takes 1.5 s inside), which the v2 scenarios are scaled to.
 *
 * <p>The unpacked kernel, its modules and the initramfs are cached under {@code it/target/v2-guest}
 * (or {@code -Dit.v2GuestCache}), so only the first run asks apt.
 */
final class V2Guest {

    /**
     * Loaded in this order from the initramfs: 9p over virtio-pci, with its dependencies (measured), then
     * ext4 on a virtio disk. The disk is there for page cache: the 9p shares keep none of their own
     * (the writable one runs without a cache) and tmpfs pages are shmem, which reclaim cannot drop, so
     * the healthy page-cache scenarios need a real block-backed file system.
     */
    static final List<String> MODULES = List.of("virtio_ring", "virtio", "virtio_pci_modern_dev",
            "virtio_pci_legacy_dev", "virtio_pci", "netfs", "fscache", "9pnet", "9pnet_virtio", "9p",
            "virtio_blk", "crc16", "crc32c_generic", "mbcache", "jbd2", "ext4");

    /** The guest's disk, ext4, mounted at {@code /mnt}; made afresh for every boot. */
    static final long DISK_BYTES = 2L << 30;

    /** What a guest run left: its exit status, console, output, and the run directory with its files. */
    record Result(int exitCode, String stdout, String stderr, String console, Path runDir, double seconds) {
    }

    private final Path cache;

    V2Guest(Path cache) {
        this.cache = cache.toAbsolutePath();
    }

    static V2Guest cached() {
        return new V2Guest(Path.of(System.getProperty("it.v2GuestCache", "target/v2-guest")));
    }

    /**
     * Runs one shell command in a fresh guest, by hand:
     * {@code java -cp it/target/test-classes dev.headroom.it.V2Guest 'cat /sys/fs/cgroup/cgroup.controllers'}.
     * Prints its output and exits with its status; the run directory is kept under the cache.
     */
    public static void main(String[] args) throws Exception {
        V2Guest guest = cached();
        Path runDir = guest.cache.resolve("runs/manual-" + ProcessHandle.current().pid());
        Result r = guest.run(String.join(" ", args) + "\n", runDir, Integer.getInteger("it.v2GuestTimeout", 300));
        System.out.print(r.stdout());
        System.err.print(r.stderr());
        System.err.printf("(guest ran %.1f s; files in %s)%n", r.seconds(), runDir);
        System.exit(r.exitCode());
    }

    static boolean qemuInstalled() {
        return Files.isExecutable(Path.of("/usr/bin/qemu-system-x86_64"));
    }

    /** Fetches and builds the kernel and the initramfs, once, before guests that share them start. */
    void prepare() throws IOException, InterruptedException {
        kernel();
        initramfs();
    }

    /**
     * Boots a guest that runs {@code script} (a POSIX shell script, in the host's root as its root
     * file system) and powers off; waits at most {@code timeoutSeconds} and then ends QEMU.
     *
     * @param runDir an empty directory, writable in the guest at the same path
     */
    Result run(String script, Path runDir, int timeoutSeconds) throws IOException, InterruptedException {
        Path kernel = kernel();
        Path initramfs = initramfs();
        Path run = runDir.toAbsolutePath();
        Files.createDirectories(run);
        Files.writeString(run.resolve("run.sh"), script, StandardCharsets.UTF_8);
        Path console = run.resolve("console.log");
        // A sparse file made into ext4 on the host (mkfs needs no loop device for a file); one per run
        // directory, since guests may run side by side.
        Path disk = cache.resolve("disk-" + run.getFileName() + ".img");
        Files.deleteIfExists(disk);
        try (var f = java.nio.channels.FileChannel.open(disk, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.truncate(0);
            f.position(DISK_BYTES - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
        exec(cache, List.of("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=1", disk.toString()));
        // One host thread for both vCPUs (thread=single): with multi-threaded TCG, JVMs in the guest
        // crashed in their first C1-compiled methods (SIGILL ILL_ILLOPN in HashMap.getNode at its entry,
        // SIGSEGV in Object.<init>; 2 of about 12 JVMs in one CI run, and JVMs that ended silently
        // before). Those are the methods whose first code the JVM patches "not entrant" while other
        // threads run it as they move up a tier: code modified on one vCPU while another executes it,
        // which serialised vCPUs cannot race on. Two vCPUs still, so the JVMs size themselves as before.
        List<String> command = List.of("/usr/bin/qemu-system-x86_64",
                "-accel", "tcg,thread=single", "-cpu", "max", "-m", "1G", "-smp", "2",
                "-nodefaults", "-no-reboot", "-display", "none", "-monitor", "none", "-nic", "none",
                "-serial", "file:" + console,
                "-kernel", kernel.toString(), "-initrd", initramfs.toString(),
                // hrshare reaches /init's environment (the kernel passes unknown key=value words on).
                "-append", "console=ttyS0 panic=-1 loglevel=4 hrshare=" + run + " hrkeep=" + buildRoot(run),
                "-fsdev", "local,id=root,path=/,security_model=none,multidevs=remap,readonly=on",
                "-device", "virtio-9p-pci,fsdev=root,mount_tag=hostroot",
                "-fsdev", "local,id=share,path=" + run + ",security_model=none,multidevs=remap",
                "-device", "virtio-9p-pci,fsdev=share,mount_tag=share",
                "-drive", "file=" + disk + ",format=raw,if=virtio,cache=unsafe");
        long start = System.nanoTime();
        Process qemu = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(run.resolve("qemu.log").toFile()).start();
        try {
            if (!qemu.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("the v2 guest did not power off within " + timeoutSeconds + " s; console:\n"
                        + tail(console));
            }
        } finally {
            // Never leave a guest running: it holds both cores.
            if (qemu.isAlive()) {
                qemu.destroyForcibly();
                qemu.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(disk);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Path exit = run.resolve("exit-status");
        if (!Files.exists(exit)) {
            throw new AssertionError("the v2 guest ended without running the script; console:\n" + tail(console)
                    + "\nqemu:\n" + Files.readString(run.resolve("qemu.log")));
        }
        return new Result(Integer.parseInt(Files.readString(exit).trim()), readOrEmpty(run.resolve("stdout.txt")),
                readOrEmpty(run.resolve("stderr.txt")), readOrEmpty(console), run, seconds);
    }

    // ---- the image: kernel, modules, busybox, initramfs -------------------------------------------

    synchronized Path kernel() throws IOException, InterruptedException {
        Path vmlinuz = cache.resolve("kernel/vmlinuz");
        if (!Files.exists(vmlinuz)) {
            fetchKernel();
        }
        return vmlinuz;
    }

    /** The initramfs: {@code /init}, a static busybox, the ten modules. Built once per cache. */
    synchronized Path initramfs() throws IOException, InterruptedException {
        Path cpio = cache.resolve("initramfs.cpio");
        Path builtInit = cache.resolve("initramfs/init");
        // Built again when /init changed since (a cache kept across builds must not boot an old one).
        if (Files.exists(cpio) && Files.exists(builtInit) && Files.readString(builtInit).equals(initScript())) {
            return cpio;
        }
        Files.deleteIfExists(cpio);
        kernel();
        Path tree = cache.resolve("initramfs");
        ScenarioRun.deleteTree(tree);
        Files.createDirectories(tree.resolve("bin"));
        Files.createDirectories(tree.resolve("modules"));
        Files.copy(busybox(), tree.resolve("bin/busybox"));
        Files.setPosixFilePermissions(tree.resolve("bin/busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String module : MODULES) {
            Files.copy(cache.resolve("kernel/modules/" + module + ".ko"), tree.resolve("modules/" + module + ".ko"));
        }
        Files.writeString(tree.resolve("init"), initScript(), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(tree.resolve("init"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path partial = cache.resolve("initramfs.cpio.partial");
        // busybox's own cpio writes the kernel's "newc" format; no host cpio needed.
        exec(tree, List.of("/bin/sh", "-c", "find . | '" + tree.resolve("bin/busybox") + "' cpio -o -H newc > '"
                + partial + "'"));
        Files.move(partial, cpio);
        return cpio;
    }

    /**
     * {@code /init}: mounts the host's root read-only at {@code /host} with proc, sys, a pure cgroup2
     * hierarchy (memory enabled for children), dev, a fresh /tmp and /dev/shm, and the writable share
     * at its host path; runs {@code run.sh} there as root and powers off.
     */
    /**
     * The build's root (the directory with {@code agent/} and {@code it/}) above the run directory:
     * the guest must see it even where it replaces the host's directory with a tmpfs (/tmp).
     */
    static Path buildRoot(Path run) {
        for (Path p = run; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("agent")) && Files.isDirectory(p.resolve("it"))) {
                return p;
            }
        }
        return run;
    }

    static String initScript() {
        StringBuilder modules = new StringBuilder();
        for (String m : MODULES) {
            modules.append("insmod /modules/").append(m).append(".ko || fail 'insmod ").append(m).append("'\n");
        }
        return """
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                export PATH=/bin
                fail() { echo "headroom-guest: $1" > /dev/console; poweroff -f; }
                mkdir -p /proc /sys /dev /host
                mount -t proc proc /proc
                mount -t sysfs sys /sys
                mount -t devtmpfs dev /dev
                """ + modules + """
                P9=trans=virtio,version=9p2000.L,msize=262144
                mount -t 9p -o $P9,ro,cache=loose hostroot /host || fail 'mount hostroot'
                # The build may lie under a directory replaced below by a fresh tmpfs (a clone in
                # /tmp, as a CI run may make): a bind made first keeps it, and is put back after.
                mkdir -p /keep
                mount -o bind "/host$hrkeep" /keep || fail 'bind the build'
                mount -t proc proc /host/proc
                mount -t sysfs sys /host/sys
                mount -t cgroup2 none /host/sys/fs/cgroup || fail 'mount cgroup2'
                echo +memory > /host/sys/fs/cgroup/cgroup.subtree_control || fail 'enable +memory'
                mount -t devtmpfs dev /host/dev
                mkdir -p /host/dev/shm /host/dev/pts
                mount -t tmpfs -o mode=1777 shm /host/dev/shm
                mount -t tmpfs -o mode=1777 tmp /host/tmp
                mount -t tmpfs run /host/run
                mount -t ext4 /dev/vda /host/mnt || fail 'mount the disk'
                mkdir -p "/host$hrkeep" 2>/dev/null
                mount -o bind /keep "/host$hrkeep" || fail 'bind the build back'
                mount -t 9p -o $P9,cache=none share "/host$hrshare" || fail 'mount share'
                echo "headroom-guest: running $hrshare/run.sh" > /dev/console
                chroot /host /bin/sh "$hrshare/run.sh" > "/host$hrshare/stdout.txt" 2> "/host$hrshare/stderr.txt"
                echo $? > "/host$hrshare/exit-status"
                sync
                umount /host/mnt
                umount "/host$hrshare"
                poweroff -f
                """;
    }

    private void fetchKernel() throws IOException, InterruptedException {
        Path work = Files.createDirectories(cache.resolve("download"));
        // linux-image-amd64 depends on the current ABI's package, e.g. linux-image-6.1.0-50-amd64.
        // Not the "cloud" flavour: it lacks 9p.
        String depends = exec(work, List.of("apt-cache", "depends", "linux-image-amd64"));
        String image = depends.lines().map(String::trim).filter(t -> t.startsWith("Depends: linux-image-"))
                .map(t -> t.substring("Depends: ".length()).trim()).findFirst()
                .orElseThrow(() -> new IOException("apt-cache depends linux-image-amd64 names no kernel package:\n"
                        + depends));
        Path unpacked = debian(image, work);
        Path kernelDir = Files.createDirectories(cache.resolve("kernel/modules"));
        try (var boot = Files.list(unpacked.resolve("boot"))) {
            Path vmlinuz = boot.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst()
                    .orElseThrow(() -> new IOException("no vmlinuz in " + image));
            for (String module : MODULES) {
                Path ko;
                try (var walk = Files.walk(unpacked.resolve("lib/modules"))) {
                    ko = walk.filter(p -> p.getFileName().toString().equals(module + ".ko")).findFirst()
                            .orElseThrow(() -> new IOException("no " + module + ".ko in " + image));
                }
                Files.copy(ko, kernelDir.resolve(module + ".ko"));
            }
            Files.writeString(cache.resolve("kernel/package"), image + "\n");
            // The kernel last: its presence marks the cache complete.
            Files.copy(vmlinuz, cache.resolve("kernel/vmlinuz"));
        }
        ScenarioRun.deleteTree(work);
    }

    /** Static busybox from Debian's {@code busybox-static}, unpacked (not installed: the host needs none). */
    private Path busybox() throws IOException, InterruptedException {
        Path unpacked = debian("busybox-static", Files.createDirectories(cache.resolve("download")));
        return unpacked.resolve("bin/busybox");
    }

    /** {@code apt-get download} one package into {@code work} and {@code dpkg -x} it; returns the tree. */
    private static Path debian(String pkg, Path work) throws IOException, InterruptedException {
        Path tree = work.resolve(pkg);
        ScenarioRun.deleteTree(tree);
        exec(work, List.of("apt-get", "download", "-q", pkg));
        Path deb;
        try (var files = Files.list(work)) {
            deb = files.filter(p -> p.getFileName().toString().startsWith(pkg + "_")
                    && p.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new IOException("apt-get download " + pkg + " left no .deb in " + work));
        }
        exec(work, List.of("dpkg", "-x", deb.toString(), tree.toString()));
        Files.delete(deb);
        return tree;
    }

    private static String exec(Path dir, List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }

    private static String readOrEmpty(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static String tail(Path file) throws IOException {
        String text = readOrEmpty(file);
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }
}
