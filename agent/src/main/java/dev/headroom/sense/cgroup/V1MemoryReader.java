package dev.headroom.sense.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The cgroup v1 memory controller (Documentation/admin-guide/cgroup-v1/memory.rst).
 */
final class V1MemoryReader implements CgroupMemoryReader {

    private final String cgroupPath;
    private final Path directory;
    private final long hostMemoryBytes;
    private final LimitChain limits;
    private final Path usage;
    private final Path stat;
    private final Path memswUsage;   // null without swap accounting (swapaccount=0)
    private final Path kmemUsage;    // null where the kernel has no kmem accounting files
    private final Path failcnt;
    private final Path oomControl;
    private final Path procs;
    private final Path hostPressure;
    private final String hostPressureSource;
    private final String hierarchicalSource;

    private final InterfaceFiles io = new InterfaceFiles();
    private final KeyedValues statValues = new KeyedValues();
    private final KeyedValues oomValues = new KeyedValues();

    V1MemoryReader(Placement placement, Path procRoot, long hostMemoryBytes) {
        this.cgroupPath = placement.cgroupPath();
        this.directory = placement.directory();
        this.hostMemoryBytes = hostMemoryBytes;
        this.limits = LimitChain.of(placement.levels(), placement.labels(), "memory.limit_in_bytes");
        this.usage = directory.resolve("memory.usage_in_bytes");
        this.stat = directory.resolve("memory.stat");
        this.memswUsage = ifPresent(directory.resolve("memory.memsw.usage_in_bytes"));
        this.kmemUsage = ifPresent(directory.resolve("memory.kmem.usage_in_bytes"));
        this.failcnt = directory.resolve("memory.failcnt");
        this.oomControl = directory.resolve("memory.oom_control");
        this.procs = directory.resolve("cgroup.procs");
        // v1 has no per-cgroup PSI (memory.pressure_level is an event interface, not PSI).
        this.hostPressure = procRoot.resolve("pressure/memory");
        this.hostPressureSource = hostPressure + Pressure.HOST_WIDE;
        this.hierarchicalSource = "hierarchical_memory_limit in memory.stat of " + placement.labels().get(0);
    }

    @Override
    public int version() {
        return 1;
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
    public synchronized void close() {
        io.close();
    }

    @Override
    public synchronized long usageBytes() throws IOException {
        return io.readSingleValue(usage);
    }

    @Override
    public synchronized boolean ownLimitsChanged() throws IOException {
        return limits.firstChanged(io);
    }

    @Override
    public synchronized CgroupMemory read() throws IOException {
        long usageBytes = io.readSingleValue(usage);
        io.readFlatKeyed(stat, statValues);

        // hierarchical_memory_limit (below) already carries every ancestor's limit, re-read each tick;
        // the other levels' files only say which level set it, so they are read again only when it
        // or this level's own limit changed (three files fewer a tick under a pod's two levels).
        long limit = limits.lowestWhenChanged(io, hostMemoryBytes, statValues.get("hierarchical_memory_limit", -1));
        String source = limits.source();
        // hierarchical_memory_limit is the lowest limit of all ancestors as the kernel sees them, including
        // those above what this mount shows (a container's bind-mounted cgroupfs hides the pod's level).
        long hierarchical = LimitChain.effective(statValues.get("hierarchical_memory_limit", -1), hostMemoryBytes);
        if (hierarchical >= 0 && (limit < 0 || hierarchical < limit)) {
            limit = hierarchical;
            source = hierarchicalSource;
        }

        // With swap accounting on, memory.stat has total_swap (the same condition that makes the memsw
        // files); memsw minus usage is the fallback for a kernel without it.
        long swap = statValues.get("total_swap", -1);
        if (swap < 0 && memswUsage != null) {
            long memsw = io.readSingleValue(memswUsage);
            // memsw counts memory + swap; both counters move independently, so the difference can dip below 0.
            swap = memsw >= 0 && usageBytes >= 0 ? Math.max(0, memsw - usageBytes) : -1;
        }
        long kernel = kmemUsage == null ? -1 : io.singleValueOrUnknown(kmemUsage);

        MemoryStat memoryStat = new MemoryStat(
                statValues.get("total_rss", "rss"),
                statValues.get("total_cache", "cache"),
                statValues.get("total_active_anon", "active_anon"),
                statValues.get("total_inactive_anon", "inactive_anon"),
                statValues.get("total_active_file", "active_file"),
                statValues.get("total_inactive_file", "inactive_file"),
                statValues.get("total_unevictable", "unevictable"),
                statValues.get("total_shmem", "shmem"),
                statValues.get("total_mapped_file", "mapped_file"),
                statValues.get("total_dirty", "dirty"),
                statValues.get("total_writeback", "writeback"),
                -1, -1, -1, -1, -1,
                kernel,
                statValues.get("total_swap", "swap"),
                statValues.toMap());

        return new CgroupMemory(1, cgroupPath, limit, source, -1, usageBytes, swap, memoryStat, readEvents(),
                io.pressureOrNull(hostPressure, hostPressureSource), processCount());
    }

    /**
     * The processes in the cgroup, counted every {@link #PROCS_EVERY}th read. v1 serves
     * {@code cgroup.procs} from a pid list it caches per open file (see {@code PseudoFiles}), so it
     * is opened afresh each time, and building that list costs the kernel more than the rest of
     * the tick's cgroup files together (measured: 75 µs against 30 µs). Processes come and go far
     * more slowly than ticks. Not used to notice that this process moved: {@code /proc/self/cgroup}
     * says that, every tick ({@link CgroupMemoryReader#listedSelf} stays false on v1).
     */
    private int processCount() {
        if (procsReads++ % PROCS_EVERY == 0) {
            processCount = io.countLinesOrUnknown(procs);
        }
        return processCount;
    }

    static final int PROCS_EVERY = 10;
    private int procsReads;
    private int processCount = -1;

    private MemoryEvents readEvents() {
        long failures = io.singleValueOrUnknown(failcnt);
        long oomKill = -1;
        boolean underOom = false;
        try {
            io.readFlatKeyed(oomControl, oomValues);
            // oom_kill was added to memory.oom_control in Linux 4.13.
            oomKill = oomValues.get("oom_kill", -1);
            underOom = oomValues.get("under_oom", 0) > 0;
        } catch (IOException e) {
            // optional: counters stay unknown
        }
        return new MemoryEvents(-1, -1, -1, -1, oomKill, failures, underOom);
    }


    private static Path ifPresent(Path file) {
        return Files.isRegularFile(file) ? file : null;
    }
}
