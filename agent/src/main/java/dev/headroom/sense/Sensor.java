package dev.headroom.sense;

import dev.headroom.sense.cgroup.CgroupLocator;
import dev.headroom.sense.cgroup.CgroupMemory;
import dev.headroom.sense.cgroup.CgroupMemoryReader;
import dev.headroom.sense.cgroup.Located;
import dev.headroom.sense.files.PseudoFiles;
import dev.headroom.sense.host.HostMemory;
import dev.headroom.sense.jvm.JvmMemory;
import dev.headroom.sense.jvm.JvmReader;
import dev.headroom.sense.jvm.NmtReader;
import dev.headroom.sense.jvm.NmtSummary;
import dev.headroom.sense.process.ProcessMemory;
import dev.headroom.sense.process.ProcessReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Takes one {@link Snapshot} a tick from the three sources: the memory cgroup, {@code /proc/self}
 * and the JVM's MXBeans (plus NMT when it is on and due). Everything is re-read each tick, since
 * limits can change at run time and a process can be moved to another cgroup.
 *
 * <p>A source that fails is reported through {@link Problems} and left out of that tick; the
 * next tick tries again (and re-locates the cgroup), so a passing fault costs one tick, not the agent.
 */
public final class Sensor {

    /** Where the sensor reports a failing source; one key per source so repeats can be folded. */
    @FunctionalInterface
    public interface Problems {
        void report(String source, String message);
    }

    private final Path procRoot;
    private final Path cgroupRoot;
    private final long limitOption;
    private final long hostMemoryBytes;
    private final Problems problems;
    private final ProcessReader processReader;
    private final JvmReader jvmReader;
    private final NmtReader nmtReader;

    private CgroupMemoryReader cgroupReader;
    private List<String> locateNotes = List.of();
    private boolean relocate = true;
    private NmtSummary lastNmt;
    private byte[] lastMembership;
    private final Path membership;
    private final PseudoFiles membershipFile = new PseudoFiles();
    /** The directory last read successfully, while the process's membership has not changed since. */
    private Path readable;

    public Sensor(Path procRoot, Path cgroupRoot, long limitOption, Problems problems) {
        this.procRoot = procRoot;
        this.cgroupRoot = cgroupRoot;
        this.limitOption = limitOption;
        this.problems = problems;
        this.hostMemoryBytes = HostMemory.totalBytes(procRoot);
        this.processReader = new ProcessReader(procRoot);
        this.jvmReader = new JvmReader();
        this.nmtReader = new NmtReader();
        this.membership = procRoot.resolve("self/cgroup");
    }

    public JvmReader jvmReader() {
        return jvmReader;
    }

    public NmtReader nmtReader() {
        return nmtReader;
    }

    public long hostMemoryBytes() {
        return hostMemoryBytes;
    }

    /** What locating the cgroup found out (hybrid host, fallbacks taken), for the start event. */
    public List<String> locateNotes() {
        return locateNotes;
    }

    /** The located cgroup reader, or {@code null} when there is none. */
    public CgroupMemoryReader cgroupReader() {
        return cgroupReader;
    }

    /**
     * @param readNmt whether to read the NMT summary this tick (it costs more than the rest, so the
     *                caller reads it on a slower cadence); otherwise the last one is carried forward
     */
    public Snapshot sample(long epochMillis, boolean readNmt) {
        CgroupMemory cgroup = readCgroup();
        ProcessMemory process;
        try {
            process = processReader.read();
        } catch (IOException | RuntimeException e) {
            problems.report("process", "cannot read " + procRoot.resolve("self/status") + ": " + e);
            process = ProcessMemory.UNKNOWN;
        }
        if (readNmt && nmtReader.enabled()) {
            NmtSummary nmt = nmtReader.read();
            if (nmt == null && nmtReader.lastProblem() != null) {
                problems.report("nmt", "cannot read the NMT summary: " + nmtReader.lastProblem());
            }
            lastNmt = nmt;
        }
        JvmMemory jvm = jvmReader.read(lastNmt);

        long limit;
        String limitSource;
        if (cgroup != null && cgroup.hasLimit()) {
            limit = cgroup.limitBytes();
            limitSource = "cgroup v" + cgroup.version() + " " + cgroup.limitSource();
        } else if (limitOption > 0) {
            limit = limitOption;
            limitSource = Snapshot.LIMIT_OPTION;
        } else if (hostMemoryBytes > 0) {
            limit = hostMemoryBytes;
            limitSource = cgroup == null ? "host memory (no memory cgroup)" : "host memory (the cgroup has no limit)";
        } else {
            limit = -1;
            limitSource = "none";
        }
        // The limit decides what is watched (Snapshot.watchesProcess): a cgroup's limit bounds its
        // working set; the limit option or host memory bounds this process, not the processes beside it.
        long workingSet = cgroup != null && cgroup.hasLimit() ? cgroup.workingSetBytes() : Math.max(0, process.rssBytes());
        return new Snapshot(epochMillis, cgroup, limit, limitSource, workingSet, hostMemoryBytes, process, jvm);
    }

    /**
     * The located cgroup's usage alone, for a tick that only looks whether anything moved
     * ({@code SamplingCadence}); {@code -1}, which calls a full sample, when there is no reader, a
     * read fails (the full sample reports and relocates) or the own cgroup's limit files changed.
     * Reads nothing else: not {@code /proc/self/cgroup}, so a process moved to another cgroup is
     * noticed at the next periodic full sample.
     */
    public long quickUsageBytes() {
        CgroupMemoryReader reader = cgroupReader;
        if (reader == null || relocate) {
            return -1;
        }
        try {
            return reader.ownLimitsChanged() ? -1 : reader.usageBytes();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private CgroupMemory readCgroup() {
        // While the last read found this process in the cgroup's cgroup.procs, it has not moved:
        // /proc/self/cgroup (a file the kernel builds from every hierarchy, the costliest of the
        // tick's reads) is read only when it did not, and once more after a read that no longer does.
        boolean listed = cgroupReader != null && cgroupReader.listedSelf();
        if (!listed && membershipChanged()) {
            // The process was moved to another cgroup (or this is the first tick): the old
            // directory may still be readable, so only this file tells us to look again.
            relocate = true;
            readable = null;
        }
        if (relocate) {
            relocate = false;
            if (cgroupReader != null) {
                cgroupReader.close();
            }
            try {
                Located located = CgroupLocator.locate(procRoot, cgroupRoot, hostMemoryBytes);
                CgroupMemoryReader found = located.reader().orElse(null);
                if (readable != null && (found == null || !found.directory().equals(readable))) {
                    // Still in the same cgroup, but its directory is gone (cgroupfs unmounted or
                    // masked): the locator's fallback for a missing directory (the mount point,
                    // right for JDK-8286212 bind mounts at start) would now read a parent, even
                    // the host's root, under our cgroup's name. Read nothing, and look again each
                    // tick until it is back (found by FaultCgroupIT: a vanished directory became
                    // the whole machine's 1.6 GB; and a locate that found nothing was never retried).
                    relocate = true;
                    cgroupReader = null;
                    return null;
                }
                cgroupReader = found;
                locateNotes = located.notes();
            } catch (IOException | RuntimeException e) {
                problems.report("cgroup", "cannot locate the memory cgroup: " + e);
                cgroupReader = null;
            }
        }
        if (cgroupReader == null) {
            return null;
        }
        try {
            CgroupMemory read = cgroupReader.read();
            readable = cgroupReader.directory();
            if (listed && !cgroupReader.listedSelf() && membershipChanged()) {
                // Moved since the last tick: this was the old cgroup. Look again now, not a tick later.
                relocate = true;
                readable = null;
                return readCgroup();
            }
            return read;
        } catch (IOException | RuntimeException e) {
            // The files vanished or the process moved: locate again next tick.
            problems.report("cgroup", "cannot read " + cgroupReader.directory() + ": " + e);
            relocate = true;
            return null;
        }
    }

    /** Whether /proc/self/cgroup differs from when it was last read; compared in place. */
    private boolean membershipChanged() {
        int n;
        try {
            n = membershipFile.load(membership);
        } catch (IOException | RuntimeException e) {
            return false;
        }
        byte[] now = membershipFile.buffer();
        if (lastMembership != null && java.util.Arrays.equals(now, 0, n, lastMembership, 0, lastMembership.length)) {
            return false;
        }
        lastMembership = java.util.Arrays.copyOf(now, n);
        return true;
    }

    /** Asks for the cgroup to be located again on the next tick (e.g. after /proc/self/cgroup changed). */
    public void relocate() {
        relocate = true;
    }
}
