package dev.headroom.sense.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cgroup v2 memory controller (Documentation/admin-guide/cgroup-v2.rst, "Memory").
 */
final class V2MemoryReader implements CgroupMemoryReader {

    private final String cgroupPath;
    private final Path directory;
    private final long hostMemoryBytes;
    private final LimitChain limits;
    private final LimitChain highs;
    private final Path current;
    private final Path stat;
    private final Path swapCurrent;  // null without swap accounting
    private final Path events;       // memory.events, else memory.events.local, else null
    private final Path procs;
    private final Path pressure;
    private final String pressureSource;

    private final InterfaceFiles io = new InterfaceFiles();
    private final KeyedValues statValues = new KeyedValues();
    private final KeyedValues eventValues = new KeyedValues();

    V2MemoryReader(Placement placement, Path procRoot, long hostMemoryBytes) {
        this.cgroupPath = placement.cgroupPath();
        this.directory = placement.directory();
        this.hostMemoryBytes = hostMemoryBytes;
        this.limits = LimitChain.of(placement.levels(), placement.labels(), "memory.max");
        this.highs = LimitChain.of(placement.levels(), placement.labels(), "memory.high");
        this.current = directory.resolve("memory.current");
        this.stat = directory.resolve("memory.stat");
        this.swapCurrent = ifPresent(directory.resolve("memory.swap.current"));
        // memory.events is hierarchical (includes children) and is what tells of an OOM kill anywhere
        // inside the container; .local (5.2+) only counts this level.
        Path hierarchical = ifPresent(directory.resolve("memory.events"));
        this.events = hierarchical != null ? hierarchical : ifPresent(directory.resolve("memory.events.local"));
        this.procs = directory.resolve("cgroup.procs");
        Path own = ifPresent(directory.resolve("memory.pressure"));
        this.pressure = own != null ? own : procRoot.resolve("pressure/memory");
        this.pressureSource = own != null ? own.toString() : pressure + Pressure.HOST_WIDE;
    }

    @Override
    public int version() {
        return 2;
    }

    @Override
    public String cgroupPath() {
        return cgroupPath;
    }

    @Override
    public Path directory() {
        return directory;
    }

    @Override
    public synchronized boolean listedSelf() {
        return io.foundPid();
    }

    @Override
    public synchronized void close() {
        io.close();
    }

    @Override
    public synchronized long usageBytes() throws IOException {
        return io.readSingleValue(current);
    }

    @Override
    public synchronized boolean ownLimitsChanged() throws IOException {
        return limits.firstChanged(io) || highs.firstChanged(io);
    }

    @Override
    public synchronized CgroupMemory read() throws IOException {
        long usageBytes = io.readSingleValue(current);
        io.readFlatKeyed(stat, statValues);
        long limit = limits.lowest(io, hostMemoryBytes);
        String source = limits.source();
        long high = highs.lowest(io, hostMemoryBytes);
        long swap = swapCurrent == null ? -1 : io.singleValueOrUnknown(swapCurrent);

        long slab = statValues.get("slab", -1);
        if (slab < 0) {
            // "slab" appeared in 5.9; before, only its two halves were printed.
            long reclaimable = statValues.get("slab_reclaimable", -1);
            long unreclaimable = statValues.get("slab_unreclaimable", -1);
            slab = reclaimable >= 0 && unreclaimable >= 0 ? reclaimable + unreclaimable : -1;
        }
        long kernelStack = statValues.get("kernel_stack", -1);
        long pageTables = statValues.get("pagetables", -1);
        long sock = statValues.get("sock", -1);
        long kernel = statValues.get("kernel", -1);
        if (kernel < 0) {
            // Kernels before the "kernel" key: add up the kernel parts that are printed.
            kernel = sumPresent(slab, kernelStack, pageTables, sock, statValues.get("percpu", -1));
        }

        MemoryStat memoryStat = new MemoryStat(
                statValues.get("anon", -1),
                statValues.get("file", -1),
                statValues.get("active_anon", -1),
                statValues.get("inactive_anon", -1),
                statValues.get("active_file", -1),
                statValues.get("inactive_file", -1),
                statValues.get("unevictable", -1),
                statValues.get("shmem", -1),
                statValues.get("file_mapped", -1),
                statValues.get("file_dirty", -1),
                statValues.get("file_writeback", -1),
                slab,
                statValues.get("slab_reclaimable", -1),
                kernelStack,
                pageTables,
                sock,
                kernel,
                // v2 memory.stat has no swap usage (only swapcached); it is in memory.swap.current.
                statValues.get("swap", -1),
                statValues.toMap());

        return new CgroupMemory(2, cgroupPath, limit, source, high, usageBytes, swap, memoryStat, readEvents(),
                io.pressureOrNull(pressure, pressureSource), io.countLinesOrUnknown(procs, InterfaceFiles.SELF_PID));
    }

    private MemoryEvents readEvents() {
        if (events == null) {
            return MemoryEvents.NONE;
        }
        try {
            io.readFlatKeyed(events, eventValues);
        } catch (IOException e) {
            return MemoryEvents.NONE;
        }
        return new MemoryEvents(eventValues.get("low", -1), eventValues.get("high", -1), eventValues.get("max", -1),
                eventValues.get("oom", -1), eventValues.get("oom_kill", -1), -1, false);
    }


    private static long sumPresent(long a, long b, long c, long d, long e) {
        if (a < 0 && b < 0 && c < 0 && d < 0 && e < 0) {
            return -1;
        }
        return Math.max(0, a) + Math.max(0, b) + Math.max(0, c) + Math.max(0, d) + Math.max(0, e);
    }

    private static Path ifPresent(Path file) {
        return Files.isRegularFile(file) ? file : null;
    }
}
