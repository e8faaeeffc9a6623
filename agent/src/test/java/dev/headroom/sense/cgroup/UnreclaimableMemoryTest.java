package dev.headroom.sense.cgroup;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static dev.headroom.sense.cgroup.CgroupTree.HOST_16_GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;

class UnreclaimableMemoryTest {

    private static final long MIB = 1L << 20;

    @Test
    void onV1ItIsUsageLessBothFileLists() throws IOException {
        CgroupMemory memory = CgroupTree.resource("v1-host-view").reader(HOST_16_GIB).read();
        // usage_in_bytes - total_active_file - total_inactive_file
        assertEquals(381_681_664L - 43_896_832L - 71_442_432L, memory.unreclaimableBytes());
        assertEquals(43_896_832L + 71_442_432L - 135_168L, memory.reclaimablePageCacheBytes());
    }

    @Test
    void onV2ReclaimableSlabIsLeftOutToo() throws IOException {
        CgroupMemory memory = CgroupTree.resource("v2-kubernetes-nested").reader(HOST_16_GIB).read();
        // memory.current - active_file - inactive_file - slab_reclaimable
        assertEquals(732_397_568L - 82_247_680L - 215_031_808L - 14_311_104L, memory.unreclaimableBytes());
        assertEquals(1530, memory.stat().fileRefaults());
    }

    @Test
    void activePageCacheCountsInTheWorkingSetButNotInTheUnreclaimableMemory() {
        CgroupMemory hotFile = memory(600 * MIB, stat(100 * MIB, 260 * MIB, 40 * MIB, 0, 0, Map.of()));
        assertEquals(560 * MIB, hotFile.workingSetBytes());
        assertEquals(300 * MIB, hotFile.unreclaimableBytes());
    }

    @Test
    void tmpfsAndUnevictablePagesStayInBecauseTheyAreNotOnTheFileLists() {
        // 200 MiB of tmpfs sit on the anon lists (shmem is swap-backed); only the 50 MiB of file lists go.
        CgroupMemory tmpfs = memory(500 * MIB, stat(300 * MIB, 30 * MIB, 20 * MIB, 0, 0, Map.of()));
        assertEquals(450 * MIB, tmpfs.unreclaimableBytes());
    }

    @Test
    void dirtyPagesAreWaitedForNotKilledForSoTheyStayOutButAreNotCleanPageCache() {
        // A writer: 190 MiB of dirty pages under a 256 MiB limit (measured on page-cache churn).
        CgroupMemory writer = memory(230 * MIB, stat(30 * MIB, 10 * MIB, 190 * MIB, 180 * MIB, 10 * MIB, Map.of()));
        assertEquals(30 * MIB, writer.unreclaimableBytes());
        assertEquals(10 * MIB, writer.reclaimablePageCacheBytes(), "what reclaim can take without waiting");
    }

    @Test
    void withoutTheFileListsItFallsBackToTheWorkingSet() {
        CgroupMemory bare = memory(100 * MIB, new MemoryStat(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                -1, -1, -1, -1, Map.of()));
        assertEquals(bare.workingSetBytes(), bare.unreclaimableBytes());
        assertEquals(-1, bare.reclaimablePageCacheBytes());
        assertEquals(-1, bare.stat().fileRefaults());
    }

    @Test
    void refaultsPreferTheHierarchicalV1CounterOverThisLevelsOwn() {
        MemoryStat v1 = stat(0, 0, 0, 0, 0, Map.of("workingset_refault_file", 5L, "total_workingset_refault_file", 26_747L));
        assertEquals(26_747L, v1.fileRefaults());
        MemoryStat old = stat(0, 0, 0, 0, 0, Map.of("workingset_refault", 9L));
        assertEquals(9, old.fileRefaults());
    }

    private static MemoryStat stat(long anon, long activeFile, long inactiveFile, long dirty, long writeback,
                                   Map<String, Long> raw) {
        return new MemoryStat(anon, activeFile + inactiveFile, anon, 0, activeFile, inactiveFile, 0, 0, 0, dirty,
                writeback, 0, 0, 0, 0, 0, 0, 0, raw);
    }

    private static CgroupMemory memory(long usage, MemoryStat stat) {
        return new CgroupMemory(2, "/ctr", 1024 * MIB, "memory.max", -1, usage, 0, stat, MemoryEvents.NONE, null, 1);
    }
}
