package dev.headroom.sense.cgroup;

import static dev.headroom.sense.cgroup.CgroupTree.HOST_16_GIB;
import static dev.headroom.sense.cgroup.CgroupTree.V1_MEMORY_MOUNT;
import static dev.headroom.sense.cgroup.CgroupTree.V2_MOUNT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupLocatorTest {

    static final String V1_POD = "/kubepods/burstable/pod8f4c2a1e-3b7d-4e9a-9c1f-5d6e7a8b9c0d";
    static final String V1_CONTAINER = V1_POD + "/4a1f0c7e9b2d3e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f";
    static final String V2_POD =
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice";
    static final String V2_CONTAINER = V2_POD + "/cri-containerd-0123abcd.scope";
    static final String THIS_HOST_PATH = "/process_api/7edfce0031937b447d751797cba04d1c";

    static final String V1_STAT = CgroupTree.resourceText("v1-host-view/sys/fs/cgroup/memory" + V1_CONTAINER + "/memory.stat");
    static final String V2_STAT = CgroupTree.resourceText("v2-kubernetes-nested/sys/fs/cgroup" + V2_CONTAINER + "/memory.stat");

    @TempDir
    Path temp;

    // ---- the checked-in trees ------------------------------------------------------------------

    @Test
    void readsV1HostViewWithTheContainersOwnLimit() throws IOException {
        CgroupTree tree = CgroupTree.resource("v1-host-view");
        CgroupMemoryReader reader = tree.reader(HOST_16_GIB);

        assertEquals(1, reader.version());
        assertEquals(V1_CONTAINER, reader.cgroupPath());
        assertEquals(tree.cgroupRoot().resolve("memory" + V1_CONTAINER), reader.directory());

        CgroupMemory memory = reader.read();
        // The pod (768 MiB) and kubepods (7.68 GB) are limited too; the container's 512 MiB is the lowest.
        assertEquals(536_870_912L, memory.limitBytes());
        assertEquals("memory.limit_in_bytes of " + V1_CONTAINER, memory.limitSource());
        assertEquals(-1, memory.highBytes());
        assertEquals(381_681_664L, memory.usageBytes());
        assertEquals(382_730_240L - 381_681_664L, memory.swapBytes());

        MemoryStat stat = memory.stat();
        assertEquals(262_144_000L, stat.anon());
        assertEquals(115_343_360L, stat.file());
        assertEquals(4096L, stat.shmem());
        assertEquals(33_792_000L, stat.mappedFile());
        assertEquals(71_442_432L, stat.inactiveFile());
        assertEquals(43_896_832L, stat.activeFile());
        assertEquals(4_194_304L, stat.kernel());
        assertEquals(1_048_576L, stat.swap());
        assertEquals(-1, stat.slab());
        assertEquals(536_870_912L, stat.raw().get("hierarchical_memory_limit"));
        assertEquals(36, stat.raw().size());

        assertEquals(3, memory.events().failcnt());
        assertEquals(1, memory.events().oomKill());
        assertFalse(memory.events().underOom());
        assertEquals(-1, memory.events().max());

        assertEquals(1.52, memory.pressure().someAvg10(), 1e-9);
        assertEquals(2_109_876L, memory.pressure().fullTotalMicros());
        assertTrue(memory.pressure().source().endsWith("(host-wide)"), memory.pressure().source());
        assertEquals(2, memory.processCount());
    }

    @Test
    void workingSetSubtractsInactiveFileOnV1() throws IOException {
        CgroupMemory memory = CgroupTree.resource("v1-host-view").reader(HOST_16_GIB).read();
        assertEquals(381_681_664L - 71_442_432L, memory.workingSetBytes());
    }

    @Test
    void hybridHostOfThisMachineReadsTheMemoryControllerOnV1() throws IOException {
        CgroupTree tree = CgroupTree.resource("hybrid-this-host");
        Located located = tree.locate(25_276_510_208L);
        CgroupMemoryReader reader = located.reader().orElseThrow();

        assertEquals(1, reader.version());
        assertTrue(located.notes().stream().anyMatch(n -> n.startsWith("hybrid host: memory controller on v1")),
                located.notes().toString());
        assertEquals(tree.cgroupRoot().resolve("memory" + THIS_HOST_PATH), reader.directory());

        CgroupMemory memory = reader.read();
        assertEquals(-1, memory.limitBytes());
        assertNull(memory.limitSource());
        assertFalse(memory.hasLimit());
        assertEquals(8_040_448L, memory.usageBytes());
        // Captured live: memsw (7684096) read lower than usage, as the two counters move separately.
        assertEquals(0, memory.swapBytes());
        assertEquals(2_248_704L, memory.stat().anon());
        assertEquals(3_612_672L, memory.stat().file());
        assertEquals(1_736_704L, memory.stat().kernel());
        assertEquals(8_040_448L - 1_163_264L, memory.workingSetBytes());
        assertEquals(0, memory.events().oomKill());
        assertNotNull(memory.pressure());
        assertEquals(5, memory.processCount());
    }

    @Test
    void readsV2PrivateNamespaceAtTheMountPoint() throws IOException {
        CgroupTree tree = CgroupTree.resource("v2-private-namespace");
        CgroupMemoryReader reader = tree.reader(HOST_16_GIB);

        assertEquals(2, reader.version());
        assertEquals("/", reader.cgroupPath());
        assertEquals(tree.cgroupRoot(), reader.directory());

        CgroupMemory memory = reader.read();
        assertEquals(2_147_483_648L, memory.limitBytes());
        assertEquals("memory.max of /", memory.limitSource());
        assertEquals(-1, memory.highBytes());
        assertEquals(1_288_490_188L, memory.usageBytes());
        assertEquals(0, memory.swapBytes());
        assertEquals(1_073_741_824L, memory.stat().anon());
        assertEquals(1_288_490_188L - 104_857_600L, memory.workingSetBytes());
        assertEquals(tree.cgroupRoot().resolve("memory.pressure").toString(), memory.pressure().source());
        assertEquals(1407, memory.pressure().someTotalMicros());
        assertEquals(1, memory.processCount());
    }

    @Test
    void kubernetesNestedV2FindsTheLimitOnThePodSlice() throws IOException {
        CgroupTree tree = CgroupTree.resource("v2-kubernetes-nested");
        CgroupMemoryReader reader = tree.reader(HOST_16_GIB);

        assertEquals(2, reader.version());
        assertEquals(V2_CONTAINER, reader.cgroupPath());
        assertEquals(tree.cgroupRoot().resolve(V2_CONTAINER.substring(1)), reader.directory());

        CgroupMemory memory = reader.read();
        // The scope says "max"; the pod slice 1 GiB; kubepods.slice 14.8 GiB (below host memory, but higher).
        assertEquals(1_073_741_824L, memory.limitBytes());
        assertEquals("memory.max of " + V2_POD, memory.limitSource());
        assertEquals(732_397_568L, memory.usageBytes());
        assertEquals(0, memory.swapBytes());
        assertEquals(3, memory.processCount());
    }

    @Test
    void readsV2MemoryHighAndMemoryEvents() throws IOException {
        CgroupMemory memory = CgroupTree.resource("v2-kubernetes-nested").reader(HOST_16_GIB).read();

        // Kubernetes MemoryQoS: memory.high = limit * 0.9, rounded down to a page.
        assertEquals(966_365_184L, memory.highBytes());
        assertEquals(new MemoryEvents(0, 17, 4, 1, 1, -1, false), memory.events());
        assertEquals(3.17, memory.pressure().someAvg10(), 1e-9);
        assertEquals(0.22, memory.pressure().fullAvg300(), 1e-9);
        assertFalse(memory.pressure().source().contains("host-wide"));
    }

    @Test
    void normalisesA6xV2MemoryStat() throws IOException {
        MemoryStat stat = CgroupTree.resource("v2-kubernetes-nested").reader(HOST_16_GIB).read().stat();

        assertEquals(412_786_688L, stat.anon());
        assertEquals(298_606_592L, stat.file());
        assertEquals(163_840L, stat.activeAnon());
        assertEquals(413_949_952L, stat.inactiveAnon());
        assertEquals(82_247_680L, stat.activeFile());
        assertEquals(215_031_808L, stat.inactiveFile());
        assertEquals(1_327_104L, stat.shmem());
        assertEquals(64_094_208L, stat.mappedFile());
        assertEquals(135_168L, stat.dirty());
        assertEquals(0, stat.writeback());
        assertEquals(15_324_936L, stat.slab());
        assertEquals(14_311_104L, stat.slabReclaimable());
        assertEquals(1_818_624L, stat.kernelStack());
        assertEquals(3_375_104L, stat.pageTables());
        assertEquals(12_288L, stat.sock());
        assertEquals(21_004_288L, stat.kernel(), "the kernel key wins over the sum of parts");
        assertEquals(-1, stat.swap());
        assertEquals(V2_STAT.lines().count(), stat.raw().size());
        assertEquals(231L, stat.raw().get("pgmajfault"));
    }

    @Test
    void workingSetSubtractsInactiveFileOnV2() throws IOException {
        CgroupMemory memory = CgroupTree.resource("v2-kubernetes-nested").reader(HOST_16_GIB).read();
        assertEquals(732_397_568L - 215_031_808L, memory.workingSetBytes());
    }

    // ---- limits --------------------------------------------------------------------------------

    @Test
    void v1FindsALimitSetOnlyOnTheParent() throws IOException {
        // The kernel's hierarchical_memory_limit agrees with the pod's limit; the walk must name the pod.
        CgroupTree tree = v1Tree("/pod/ctr", "9223372036854771712", 4096 * 100,
                V1_STAT.replace("hierarchical_memory_limit 536870912", "hierarchical_memory_limit 805306368"))
                .cgroupFile("memory/pod", "memory.limit_in_bytes", "805306368\n")
                .cgroupFile("memory", "memory.limit_in_bytes", "9223372036854771712\n");

        CgroupMemory memory = tree.reader(HOST_16_GIB).read();
        assertEquals(805_306_368L, memory.limitBytes());
        assertEquals("memory.limit_in_bytes of /pod", memory.limitSource());
    }

    @Test
    void v1ReadsTheParentsLimitAgainOnlyWhenTheHierarchicalLimitOrItsOwnChanged() throws IOException {
        String unlimited = "9223372036854771712\n";
        CgroupTree tree = v1Tree("/pod/ctr", "9223372036854771712", 4096 * 100,
                V1_STAT.replace("hierarchical_memory_limit 536870912", "hierarchical_memory_limit 805306368"))
                .cgroupFile("memory/pod", "memory.limit_in_bytes", "805306368\n")
                .cgroupFile("memory", "memory.limit_in_bytes", unlimited);
        CgroupMemoryReader reader = tree.reader(HOST_16_GIB);
        assertEquals(805_306_368L, reader.read().limitBytes());

        // Nothing changed: the pod's file is not read (here it could not be).
        Path podLimit = tree.cgroupRoot().resolve("memory/pod/memory.limit_in_bytes");
        Files.delete(podLimit);
        CgroupMemory same = reader.read();
        assertEquals(805_306_368L, same.limitBytes());
        assertEquals("memory.limit_in_bytes of /pod", same.limitSource());

        // The pod's limit lowered: the kernel's hierarchical limit moves with it, and the walk follows.
        Files.writeString(podLimit, "600000000\n");
        Files.writeString(tree.cgroupRoot().resolve("memory/pod/ctr/memory.stat"),
                V1_STAT.replace("hierarchical_memory_limit 536870912", "hierarchical_memory_limit 600000000"));
        CgroupMemory lowered = reader.read();
        assertEquals(600_000_000L, lowered.limitBytes());
        assertEquals("memory.limit_in_bytes of /pod", lowered.limitSource());

        // Its own limit set below the pod's: read at once, named as its own.
        Files.writeString(tree.cgroupRoot().resolve("memory/pod/ctr/memory.limit_in_bytes"), "500000000\n");
        Files.writeString(tree.cgroupRoot().resolve("memory/pod/ctr/memory.stat"),
                V1_STAT.replace("hierarchical_memory_limit 536870912", "hierarchical_memory_limit 500000000"));
        CgroupMemory own = reader.read();
        assertEquals(500_000_000L, own.limitBytes());
        assertEquals("memory.limit_in_bytes of /pod/ctr", own.limitSource());
    }

    @Test
    void v1CountsItsProcessesEveryTenthReadAndLeavesMovesToProcSelfCgroup() throws IOException {
        CgroupTree tree = v1Tree("/pod/ctr", "536870912", 4096 * 100, V1_STAT);
        Path procs = tree.cgroupRoot().resolve("memory/pod/ctr/cgroup.procs");
        Files.writeString(procs, ProcessHandle.current().pid() + "\n");
        CgroupMemoryReader reader = tree.reader(HOST_16_GIB);
        assertEquals(1, reader.read().processCount());
        assertFalse(reader.listedSelf(), "v1 does not look for itself in its pid list");
        Files.writeString(procs, "1\n2\n3\n");
        for (int i = 1; i < V1MemoryReader.PROCS_EVERY; i++) {
            assertEquals(1, reader.read().processCount(), "read " + i + " carries the count");
        }
        assertEquals(3, reader.read().processCount(), "the tenth read counts again");
    }

    @Test
    void theReaderSaysWhetherThisProcessIsListedInCgroupProcs() throws IOException {
        CgroupTree tree = v2Tree("/pod/ctr", "536870912", 4096 * 100, V2_STAT);
        Path procs = tree.cgroupRoot().resolve("pod/ctr/cgroup.procs");
        long self = ProcessHandle.current().pid();
        CgroupMemoryReader reader = tree.reader(HOST_16_GIB);

        Files.writeString(procs, "1\n" + self + "\n" + (self * 10 + 7) + "\n");
        assertEquals(3, reader.read().processCount());
        assertTrue(reader.listedSelf());

        // A longer pid that starts with ours, and ours as a prefix of a line, are not ours.
        Files.writeString(procs, "1\n" + self + "1\n" + self + "x\n");
        assertEquals(3, reader.read().processCount());
        assertFalse(reader.listedSelf());

        Files.writeString(procs, String.valueOf(self));
        assertEquals(1, reader.read().processCount());
        assertTrue(reader.listedSelf(), "the last line without a newline");

        Files.delete(procs);
        assertEquals(-1, reader.read().processCount());
        assertFalse(reader.listedSelf());
    }

    @Test
    void v1HierarchicalLimitFindsALimitAboveWhatTheMountShows() throws IOException {
        // A container without a cgroup namespace: the mount's root is its own cgroup, the pod is hidden.
        CgroupTree tree = new CgroupTree(temp)
                .write("proc/self/mountinfo",
                        "30 25 0:25 /kubepods/pod/ctr /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:12 - cgroup cgroup rw,memory\n")
                .write("proc/self/cgroup", "4:memory:/kubepods/pod/ctr\n")
                .cgroupFile("memory", "memory.limit_in_bytes", "9223372036854771712\n")
                .cgroupFile("memory", "memory.usage_in_bytes", "409600\n")
                .cgroupFile("memory", "memory.stat",
                        V1_STAT.replace("hierarchical_memory_limit 536870912", "hierarchical_memory_limit 268435456"));

        CgroupMemoryReader reader = tree.reader(HOST_16_GIB);
        assertEquals(tree.cgroupRoot().resolve("memory"), reader.directory());
        CgroupMemory memory = reader.read();
        assertEquals(268_435_456L, memory.limitBytes());
        assertEquals("hierarchical_memory_limit in memory.stat of /kubepods/pod/ctr", memory.limitSource());
    }

    @Test
    void v2TakesTheLowestLimitAlongThePath() throws IOException {
        CgroupTree tree = v2Tree("/a/b/c", "500000000", 4096, V2_STAT)
                .cgroupFile("/a/b", "memory.max", "300000000\n")
                .cgroupFile("/a", "memory.max", "400000000\n");

        CgroupMemory memory = tree.reader(HOST_16_GIB).read();
        assertEquals(300_000_000L, memory.limitBytes());
        assertEquals("memory.max of /a/b", memory.limitSource());
    }

    @Test
    void v2MaxEverywhereIsUnlimited() throws IOException {
        CgroupTree tree = v2Tree("/a/b", "max", 4096, V2_STAT).cgroupFile("/a", "memory.max", "max\n");

        CgroupMemory memory = tree.reader(HOST_16_GIB).read();
        assertEquals(-1, memory.limitBytes());
        assertNull(memory.limitSource());
        assertEquals(-1, memory.highBytes());
    }

    @Test
    void v1PageRoundedLongMaxIsUnlimited() throws IOException {
        CgroupTree tree = v1Tree("/a", "9223372036854771712", 4096,
                V1_STAT.replace("536870912", "9223372036854771712"));

        CgroupMemory memory = tree.reader(HOST_16_GIB).read();
        assertEquals(-1, memory.limitBytes());
        assertNull(memory.limitSource());
    }

    @Test
    void v1LongMaxRoundedTo64KibPagesIsUnlimitedToo() throws IOException {
        // arm64 kernels with 64 KiB pages print 9223372036854710272; with host memory unknown only the
        // number itself can tell.
        CgroupTree tree = v1Tree("/a", "9223372036854710272", 4096,
                V1_STAT.replace("536870912", "9223372036854710272"));

        assertEquals(-1, tree.reader(-1).read().limitBytes());
    }

    @Test
    void aLimitAtOrAboveHostMemoryIsUnlimited() throws IOException {
        CgroupTree tree = v2Tree("/a", String.valueOf(32L << 30), 4096, V2_STAT);

        assertEquals(-1, tree.reader(HOST_16_GIB).read().limitBytes());
        assertEquals(-1, tree.reader(32L << 30).read().limitBytes());
        assertEquals(32L << 30, tree.reader(-1).read().limitBytes(), "host memory unknown: the limit stands");
    }

    @Test
    void aChangedLimitIsSeenOnTheNextRead() throws IOException {
        CgroupTree tree = v2Tree("/a", "500000000", 4096, V2_STAT);
        CgroupMemoryReader reader = tree.reader(HOST_16_GIB);
        assertEquals(500_000_000L, reader.read().limitBytes());

        tree.cgroupFile("/a", "memory.max", "700000000\n");
        assertEquals(700_000_000L, reader.read().limitBytes());
    }

    // ---- mapping the path onto the mount -------------------------------------------------------

    @Test
    void v2PrivateNamespaceWithTheContainerCgroupAsMountRoot() throws IOException {
        CgroupTree tree = new CgroupTree(temp)
                .write("proc/self/mountinfo",
                        "1027 1026 0:27 " + V2_CONTAINER + " /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate,memory_recursiveprot\n")
                .write("proc/self/cgroup", "0::/\n")
                .cgroupFile("/", "cgroup.controllers", "cpuset cpu io memory pids\n")
                .cgroupFile("/", "memory.max", "536870912\n")
                .cgroupFile("/", "memory.current", "4096\n")
                .cgroupFile("/", "memory.stat", V2_STAT);

        CgroupMemoryReader reader = tree.reader(HOST_16_GIB);
        assertEquals(tree.cgroupRoot(), reader.directory());
        assertEquals("/", reader.cgroupPath());
        assertEquals("memory.max of " + V2_CONTAINER, reader.read().limitSource());
    }

    /**
     * Copied from a real 6.1 kernel (the v2 guest of CgroupV2IT): {@code unshare --cgroup} without a new
     * mount; the host's cgroup2 mount stays and shows its root four levels above the namespace.
     */
    @Test
    void v2PrivateNamespaceUnderTheHostsMountFindsItsCgroupByItsPidBelowTheDotDotRoot() throws IOException {
        String self = Long.toString(ProcessHandle.current().pid());
        CgroupTree tree = new CgroupTree(temp)
                .write("proc/self/mountinfo", "29 28 0:25 /../../../.. /sys/fs/cgroup rw,relatime - cgroup2 none rw\n")
                .write("proc/self/cgroup", "0::/\n")
                .cgroupFile("/", "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
                .cgroupFile("/", "memory.stat", V2_STAT)
                .cgroupFile(V2_POD, "memory.max", "335544320\n")
                .cgroupFile(V2_POD, "cgroup.procs", "")
                // A sibling container of the same depth, not ours.
                .cgroupFile(V2_POD + "/cri-containerd-ffff.scope", "cgroup.procs", "1\n")
                .cgroupFile(V2_POD + "/cri-containerd-ffff.scope", "memory.current", "4096\n")
                .cgroupFile(V2_CONTAINER, "cgroup.controllers", "memory pids\n")
                .cgroupFile(V2_CONTAINER, "cgroup.procs", "1\n" + self + "\n")
                .cgroupFile(V2_CONTAINER, "memory.max", "301989888\n")
                .cgroupFile(V2_CONTAINER, "memory.current", "31457280\n")
                .cgroupFile(V2_CONTAINER, "memory.stat", V2_STAT);

        Located located = tree.locate(HOST_16_GIB);
        CgroupMemoryReader reader = located.reader().orElseThrow(() -> new AssertionError(located.notes()));
        assertEquals(tree.cgroupRoot().resolve(V2_CONTAINER.substring(1)), reader.directory());
        assertEquals("/", reader.cgroupPath());
        CgroupMemory memory = reader.read();
        assertEquals(301989888L, memory.limitBytes());
        assertEquals("memory.max of " + V2_CONTAINER, memory.limitSource());
        assertTrue(located.notes().stream().anyMatch(n -> n.contains("4 levels up")),
                located.notes().toString());
    }

    @Test
    void v2PrivateNamespaceUnderTheHostsMountSeesThePodsLimitAboveItsRootToo() throws IOException {
        String self = Long.toString(ProcessHandle.current().pid());
        CgroupTree tree = new CgroupTree(temp)
                .write("proc/self/mountinfo", "29 28 0:25 /../../../.. /sys/fs/cgroup rw,relatime - cgroup2 none rw\n")
                .write("proc/self/cgroup", "0::/\n")
                .cgroupFile(V2_POD, "memory.max", "268435456\n")
                .cgroupFile(V2_CONTAINER, "cgroup.controllers", "memory pids\n")
                .cgroupFile(V2_CONTAINER, "cgroup.procs", self + "\n")
                .cgroupFile(V2_CONTAINER, "memory.max", "max\n")
                .cgroupFile(V2_CONTAINER, "memory.current", "31457280\n")
                .cgroupFile(V2_CONTAINER, "memory.stat", V2_STAT);

        CgroupMemory memory = tree.reader(HOST_16_GIB).read();
        assertEquals(268435456L, memory.limitBytes());
        assertEquals("memory.max of " + V2_POD, memory.limitSource());
    }

    @Test
    void v2PrivateNamespaceUnderTheHostsMountWithoutItsPidListedReadsNoWrongCgroup() throws IOException {
        CgroupTree tree = new CgroupTree(temp)
                .write("proc/self/mountinfo", "29 28 0:25 /../.. /sys/fs/cgroup rw,relatime - cgroup2 none rw\n")
                .write("proc/self/cgroup", "0::/\n")
                .cgroupFile("/", "cgroup.controllers", "memory pids\n")
                .cgroupFile("/a/b", "cgroup.controllers", "memory pids\n")
                .cgroupFile("/a/b", "cgroup.procs", "1\n")
                .cgroupFile("/a/b", "memory.current", "4096\n");

        Located located = tree.locate(HOST_16_GIB);
        assertTrue(located.notes().stream().anyMatch(n -> n.contains("lists this process")), located.notes().toString());
    }

    @Test
    void aColonInsideTheCgroupPathIsPartOfThePath() throws IOException {
        // containerd's systemd driver on v1 names cgroups "<slice>:cri-containerd:<id>" (JDK-8272124).
        String path = "/system.slice/containerd.service/kubepods-burstable-pod1234_5678.slice:cri-containerd:0123abcd";
        CgroupTree tree = v1Tree(path, "268435456", 4096, V1_STAT);

        CgroupMemoryReader reader = tree.reader(HOST_16_GIB);
        assertEquals(path, reader.cgroupPath());
        assertEquals(tree.cgroupRoot().resolve("memory" + path), reader.directory());
        assertEquals("memory.limit_in_bytes of " + path, reader.read().limitSource());
    }

    @Test
    void duplicateV1MemoryMountsTakeTheOneContainingTheProcessPath() throws IOException {
        CgroupTree tree = v1Tree("/app", "268435456", 4096, V1_STAT);
        tree.write("proc/self/mountinfo",
                "41 25 0:25 /other /sys/fs/cgroup/memory-extra rw,relatime - cgroup cgroup rw,memory\n" + V1_MEMORY_MOUNT)
                .cgroupFile("memory-extra", "memory.limit_in_bytes", "1048576\n")
                .cgroupFile("memory-extra", "memory.usage_in_bytes", "4096\n")
                .cgroupFile("memory-extra", "memory.stat", V1_STAT);

        Located located = tree.locate(HOST_16_GIB);
        assertEquals(tree.cgroupRoot().resolve("memory/app"), located.reader().orElseThrow().directory());
        assertEquals(268_435_456L, located.reader().orElseThrow().read().limitBytes());
        assertTrue(located.notes().contains("2 cgroup v1 memory mounts; using /sys/fs/cgroup/memory (root /)"),
                located.notes().toString());
    }

    @Test
    void aMountPointWithAnEscapedSpaceIsUnescaped() throws IOException {
        CgroupTree tree = new CgroupTree(temp)
                .write("proc/self/mountinfo",
                        "30 25 0:25 / /sys/fs/cgroup/memory\\040controller rw,relatime shared:12 - cgroup cgroup rw,memory\n")
                .write("proc/self/cgroup", "4:memory:/app\n")
                .cgroupFile("memory controller/app", "memory.limit_in_bytes", "268435456\n")
                .cgroupFile("memory controller/app", "memory.usage_in_bytes", "4096\n")
                .cgroupFile("memory controller/app", "memory.stat", V1_STAT);

        CgroupMemoryReader reader = tree.reader(HOST_16_GIB);
        assertEquals(tree.cgroupRoot().resolve("memory controller").resolve("app"), reader.directory());
        assertEquals(268_435_456L, reader.read().limitBytes());
    }

    @Test
    void fallsBackToTheMountPointWhenTheComputedDirectoryDoesNotExist() throws IOException {
        // cgroupfs bind-mounted from the container's own cgroup while /proc/self/cgroup shows the host path.
        CgroupTree tree = new CgroupTree(temp)
                .write("proc/self/mountinfo", V1_MEMORY_MOUNT)
                .write("proc/self/cgroup", "4:memory:/kubepods/burstable/pod1/ctr\n")
                .cgroupFile("memory", "memory.limit_in_bytes", "268435456\n")
                .cgroupFile("memory", "memory.usage_in_bytes", "4096\n")
                .cgroupFile("memory", "memory.stat", V1_STAT);

        Located located = tree.locate(HOST_16_GIB);
        CgroupMemoryReader reader = located.reader().orElseThrow();
        assertEquals(tree.cgroupRoot().resolve("memory"), reader.directory());
        assertEquals("/kubepods/burstable/pod1/ctr", reader.cgroupPath());
        assertTrue(located.notes().stream().anyMatch(n -> n.contains("does not exist")), located.notes().toString());
        assertEquals("memory.limit_in_bytes of /kubepods/burstable/pod1/ctr", reader.read().limitSource());
    }

    // ---- what is not there ---------------------------------------------------------------------

    @Test
    void noCgroupFilesystemMeansNoReader() throws IOException {
        CgroupTree tree = new CgroupTree(temp)
                .write("proc/self/mountinfo", "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n")
                .write("proc/self/cgroup", "0::/\n");

        Located located = tree.locate(HOST_16_GIB);
        assertTrue(located.reader().isEmpty());
        assertFalse(located.notes().isEmpty());
    }

    @Test
    void hybridWithoutAnyMemoryControllerMeansNoReader() throws IOException {
        CgroupTree tree = new CgroupTree(temp)
                .write("proc/self/mountinfo",
                        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
                                + "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n")
                .write("proc/self/cgroup", "1:cpu:/\n0::/\n")
                .cgroupFile("unified", "cgroup.controllers", "hugetlb\n");

        Located located = tree.locate(HOST_16_GIB);
        assertTrue(located.reader().isEmpty());
        assertTrue(located.notes().stream().anyMatch(n -> n.contains("memory controller not enabled")),
                located.notes().toString());
    }

    @Test
    void malformedProcLinesAreSkippedAndNoted() throws IOException {
        CgroupTree tree = v1Tree("/app", "268435456", 4096, V1_STAT);
        tree.write("proc/self/mountinfo", "garbage\n" + "12 x 0:1 / /foo rw - ext4 /dev/x rw\n" + V1_MEMORY_MOUNT)
                .write("proc/self/cgroup", "not a cgroup line\n4:memory:/app\n");

        Located located = tree.locate(HOST_16_GIB);
        assertTrue(located.reader().isPresent());
        List<String> notes = located.notes();
        assertTrue(notes.contains("skipped malformed mountinfo line 1"), notes.toString());
        assertTrue(notes.contains("skipped malformed mountinfo line 2"), notes.toString());
        assertTrue(notes.contains("skipped malformed /proc/self/cgroup line 1"), notes.toString());
    }

    @Test
    void pressureAbsentIsNull() throws IOException {
        CgroupTree tree = v2Tree("/a", "max", 4096, V2_STAT);   // no memory.pressure, no /proc/pressure
        assertNull(tree.reader(HOST_16_GIB).read().pressure());
    }

    @Test
    void pressureFallsBackToTheHostsWhenTheCgroupHasNone() throws IOException {
        CgroupTree tree = v2Tree("/a", "max", 4096, V2_STAT)
                .write("proc/pressure/memory", "some avg10=0.50 avg60=0.25 avg300=0.10 total=900\n"
                        + "full avg10=0.20 avg60=0.10 avg300=0.05 total=400\n");

        Pressure pressure = tree.reader(HOST_16_GIB).read().pressure();
        assertEquals(0.5, pressure.someAvg10(), 1e-9);
        assertEquals(400, pressure.fullTotalMicros());
        assertTrue(pressure.source().endsWith("(host-wide)"));
    }

    @Test
    void malformedMemoryStatLinesAreSkipped() throws IOException {
        CgroupTree tree = v2Tree("/a", "max", 4096, "anon 4096\ngarbage\nfile notanumber\n\ninactive_file 12 34\n"
                + "shmem -\nkernel_stack 8192\npgfault 99999999999999999999999\nsock 0\n");

        MemoryStat stat = tree.reader(HOST_16_GIB).read().stat();
        assertEquals(4096, stat.anon());
        assertEquals(-1, stat.file());
        assertEquals(-1, stat.inactiveFile());
        assertEquals(8192, stat.kernelStack());
        assertEquals(8192, stat.kernel(), "no kernel key: the sum of the parts present");
        assertEquals(3, stat.raw().size());
    }

    @Test
    void v2KernelIsTheSumOfItsPartsOnOlderKernels() throws IOException {
        // A 5.4 kernel: no "kernel", no "slab", no "percpu" key.
        CgroupTree tree = v2Tree("/a", "max", 4096, "anon 1000000\nfile 2000000\nkernel_stack 16384\n"
                + "pagetables 8192\nsock 0\nshmem 0\nfile_mapped 4096\nfile_dirty 0\nfile_writeback 0\n"
                + "inactive_anon 1000000\nactive_anon 0\ninactive_file 1500000\nactive_file 500000\nunevictable 0\n"
                + "slab_reclaimable 40960\nslab_unreclaimable 20480\n");

        MemoryStat stat = tree.reader(HOST_16_GIB).read().stat();
        assertEquals(61_440, stat.slab());
        assertEquals(61_440 + 16_384 + 8_192, stat.kernel());
    }

    @Test
    void workingSetIsFlooredAtZeroWhenInactiveFileExceedsUsage() throws IOException {
        String v1Stat = V1_STAT.replace("total_inactive_file 71442432", "total_inactive_file 2000000");
        String v2Stat = V2_STAT.replace("inactive_file 215031808", "inactive_file 2000000");

        CgroupMemory v1 = v1Tree(new CgroupTree(temp.resolve("v1")), "/a", "268435456", 1_000_000, v1Stat)
                .reader(HOST_16_GIB).read();
        CgroupMemory v2 = v2Tree(new CgroupTree(temp.resolve("v2")), "/a", "max", 1_000_000, v2Stat)
                .reader(HOST_16_GIB).read();

        assertEquals(2_000_000, v1.stat().inactiveFile());
        assertEquals(0, v1.workingSetBytes());
        assertEquals(2_000_000, v2.stat().inactiveFile());
        assertEquals(0, v2.workingSetBytes());
    }

    @Test
    void v2EventsPreferTheHierarchicalFile() throws IOException {
        CgroupTree tree = v2Tree("/a", "max", 4096, V2_STAT)
                .cgroupFile("/a", "memory.events", "low 0\nhigh 5\nmax 2\noom 2\noom_kill 2\noom_group_kill 0\n")
                .cgroupFile("/a", "memory.events.local", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
        assertEquals(2, tree.reader(HOST_16_GIB).read().events().oomKill());

        CgroupTree onlyLocal = v2Tree(new CgroupTree(temp.resolve("local")), "/a", "max", 4096, V2_STAT)
                .cgroupFile("/a", "memory.events.local", "low 0\nhigh 3\nmax 1\noom 1\noom_kill 1\noom_group_kill 0\n");
        assertEquals(new MemoryEvents(0, 3, 1, 1, 1, -1, false), onlyLocal.reader(HOST_16_GIB).read().events());
    }

    @Test
    void v1SwapComesFromTotalSwapWithoutMemswAndIsUnknownWithNeither() throws IOException {
        CgroupTree withTotalSwap = v1Tree("/a", "268435456", 4096, V1_STAT);
        assertEquals(1_048_576L, withTotalSwap.reader(HOST_16_GIB).read().swapBytes());

        CgroupTree without = v1Tree(new CgroupTree(temp.resolve("noswap")), "/a", "268435456", 4096,
                V1_STAT.replace("total_swap 1048576\n", "").replace("swap 1048576\n", ""));
        assertEquals(-1, without.reader(HOST_16_GIB).read().swapBytes());
    }

    @Test
    void missingOptionalFilesReadAsUnknown() throws IOException {
        CgroupMemory memory = v1Tree("/a", "268435456", 4096, V1_STAT).reader(HOST_16_GIB).read();
        assertEquals(-1, memory.processCount());
        assertEquals(-1, memory.stat().kernel());
        assertEquals(-1, memory.events().failcnt());
        assertEquals(-1, memory.events().oomKill());
    }

    // ---- fixture builders ----------------------------------------------------------------------

    private CgroupTree v1Tree(String path, String limit, long usage, String stat) {
        return v1Tree(new CgroupTree(temp), path, limit, usage, stat);
    }

    private static CgroupTree v1Tree(CgroupTree tree, String path, String limit, long usage, String stat) {
        String dir = "memory" + path;
        return tree.write("proc/self/mountinfo", V1_MEMORY_MOUNT)
                .write("proc/self/cgroup", "4:memory:" + path + "\n")
                .cgroupFile(dir, "memory.limit_in_bytes", limit + "\n")
                .cgroupFile(dir, "memory.usage_in_bytes", usage + "\n")
                .cgroupFile(dir, "memory.stat", stat);
    }

    private CgroupTree v2Tree(String path, String max, long current, String stat) {
        return v2Tree(new CgroupTree(temp), path, max, current, stat);
    }

    private static CgroupTree v2Tree(CgroupTree tree, String path, String max, long current, String stat) {
        return tree.write("proc/self/mountinfo", V2_MOUNT)
                .write("proc/self/cgroup", "0::" + path + "\n")
                .cgroupFile("/", "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
                .cgroupFile(path, "cgroup.controllers", "cpuset cpu io memory pids\n")
                .cgroupFile(path, "memory.max", max + "\n")
                .cgroupFile(path, "memory.high", "max\n")
                .cgroupFile(path, "memory.current", current + "\n")
                .cgroupFile(path, "memory.stat", stat);
    }
}
