package dev.headroom.reconcile;

import dev.headroom.sense.jvm.MemoryPoolUsage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.headroom.reconcile.SnapshotFixture.KIB;
import static dev.headroom.reconcile.SnapshotFixture.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReconcilerTest {

    @Test
    void partsOfV1WithoutNmtAreTheMxBeanEstimatesAndTheCgroupCounters() {
        Breakdown b = Reconciler.reconcile(SnapshotFixture.v1WithoutNmt().build());

        assertEquals(465_055_744L, b.workingSetBytes());
        assertEquals(512 * MIB, b.limitBytes());
        assertBytes(b, "heap", 268_435_456L);
        assertBytes(b, "metaspace", 73_400_320L);      // Metaspace pool only: it includes class space
        assertBytes(b, "codeCache", 20_447_232L);      // the three CodeHeap pools
        assertBytes(b, "threadStacks", 29_360_128L);   // 28 x 1 MiB
        assertBytes(b, "directBuffers", 4_194_304L);   // not the 16 MiB of mapped buffers
        // RssAnon 400 MiB - JVM-tracked 377.5 MiB
        assertBytes(b, "nativeUntracked", 23_592_960L);
        assertBytes(b, "shmem", 2_097_152L);
        assertBytes(b, "activePageCache", 31_457_280L);
        assertBytes(b, "kernel", 9_961_472L);
        // cgroup private anon 402 MiB - RssAnon 400 MiB + the 12 KiB usage fuzz
        assertBytes(b, "unexplained", 2 * MIB + 12 * KIB);
        assertNull(b.part("committedNotResident"));
        assertNull(b.part("otherProcesses"));       // one process
        assertNull(b.part("unevictable"));          // none
        assertAddsUp(b);
    }

    @Test
    void theAgentsOwnHeapIsShownApartFromTheHeapAndThePartsStillAddUp() {
        SnapshotFixture f = SnapshotFixture.v1WithoutNmt();
        Breakdown without = Reconciler.reconcile(f.build());
        f.agentHeap = 300 * KIB;
        Breakdown with = Reconciler.reconcile(f.build());

        assertEquals(300 * KIB, with.part(PartCatalogue.AGENT).bytes());
        assertEquals("jvm", with.part(PartCatalogue.AGENT).group());
        assertEquals(without.part(PartCatalogue.HEAP).bytes() - 300 * KIB, with.part(PartCatalogue.HEAP).bytes());
        assertEquals(without.part(PartCatalogue.UNEXPLAINED).bytes(), with.part(PartCatalogue.UNEXPLAINED).bytes());
        assertEquals(with.workingSetBytes(), with.parts().stream().mapToLong(Part::bytes).sum());
        assertNull(without.part(PartCatalogue.AGENT), "no part when the agent has not measured itself");
    }

    @Test
    void withNmtTheAgentIsCarvedOutOfTheJavaHeapCategoryAndNeverBeyondIt() {
        SnapshotFixture f = SnapshotFixture.v2WithNmt();
        long javaHeap = Reconciler.reconcile(f.build()).part("nmt.javaHeap").bytes();
        f.agentHeap = javaHeap + 5 * MIB;
        Breakdown b = Reconciler.reconcile(f.build());

        assertEquals(javaHeap, b.part(PartCatalogue.AGENT).bytes());
        assertEquals(0, b.part("nmt.javaHeap").bytes());
        assertEquals(b.workingSetBytes(), b.parts().stream().mapToLong(Part::bytes).sum());
    }

    @Test
    void everyPartSaysWhereItCameFromAndWhichGroupItIsIn() {
        Breakdown b = Reconciler.reconcile(SnapshotFixture.v1WithoutNmt().build());
        Set<String> groups = Set.copyOf(PartCatalogue.GROUPS);
        Set<String> ids = new HashSet<>();
        for (Part p : b.parts()) {
            assertTrue(groups.contains(p.group()), p.id() + " has group " + p.group());
            assertFalse(p.label().isBlank(), p.id());
            assertFalse(p.source().isBlank(), p.id());
            assertNotNull(p.cause(), p.id());
            assertTrue(ids.add(p.id()), "duplicate id " + p.id());
        }
        assertEquals("memory.stat total_active_file", b.part("activePageCache").source());
        assertEquals("memory.kmem.usage_in_bytes", b.part("kernel").source());
        assertTrue(b.part("threadStacks").source().contains("upper bound"));
        assertEquals("native", b.part("nativeUntracked").group());
        assertTrue(b.part("nativeUntracked").cause().contains("MALLOC_ARENA_MAX=2"));
        assertEquals("pageCache", b.part("activePageCache").group());
        assertEquals("unexplained", b.parts().get(b.parts().size() - 1).id());
    }

    @Test
    void v2WithNmtHasOnePartPerCommittedCategory() {
        Breakdown b = Reconciler.reconcile(SnapshotFixture.v2WithNmt().build());

        assertEquals(482 * MIB, b.workingSetBytes());
        assertBytes(b, "nmt.javaHeap", 256 * MIB);
        assertBytes(b, "nmt.class", 60 * MIB);
        assertBytes(b, "nmt.thread", 29 * MIB);
        assertBytes(b, "nmt.code", 21 * MIB);
        assertBytes(b, "nmt.gc", 14 * MIB);
        assertBytes(b, "nmt.compiler", 512 * KIB);
        assertBytes(b, "nmt.internal", MIB);
        assertBytes(b, "nmt.other", 4 * MIB);
        assertBytes(b, "nmt.symbol", 12 * MIB);
        assertBytes(b, "nmt.nativeMemoryTracking", MIB);
        assertBytes(b, "nmt.arenaChunk", 256 * KIB);
        assertBytes(b, "nmt.module", 256 * KIB);
        assertBytes(b, "nmt.synchronization", 256 * KIB);
        assertEquals("Other (direct buffers, Unsafe)", b.part("nmt.other").label());
        assertEquals("MemoryMXBean heap committed (NMT Java Heap between NMT readings)",
                b.part("nmt.javaHeap").source());
        // The CDS archive is file-backed; a category with nothing committed is no part.
        assertNull(b.part("nmt.sharedClassSpace"));
        assertNull(b.part("nmt.tracing"));
        // With NMT the MXBean estimates are not used: they would count the same memory twice.
        assertNull(b.part("heap"));
        assertNull(b.part("metaspace"));
        // RssAnon 424 MiB - NMT 399.25 MiB
        assertBytes(b, "nativeUntracked", 25_952_256L);
        assertBytes(b, "shmem", 4 * MIB);
        assertBytes(b, "activePageCache", 40 * MIB);
        assertBytes(b, "kernel", 12 * MIB);
        assertBytes(b, "unexplained", 2 * MIB);     // cgroup private anon 426 - RssAnon 424
        assertEquals("memory.stat active_file", b.part("activePageCache").source());
        assertAddsUp(b);
    }


    @Test
    void aStaleNmtHeapFigureIsReplacedByTheFreshCommittedHeap() {
        // The NMT summary was read 10 s ago at 256 MiB; the heap has since committed 40 MiB more,
        // which RssAnon already shows. The heap part must follow, not the untracked native part.
        SnapshotFixture f = SnapshotFixture.v2WithNmt();
        f.heapCommitted = 296 * MIB;
        f.rssAnon = 464 * MIB;
        Breakdown b = Reconciler.reconcile(f.build());
        assertBytes(b, "nmt.javaHeap", 296 * MIB);
        assertBytes(b, "nativeUntracked", 25_952_256L);
        assertAddsUp(b);
    }
    @Test
    void v2WithoutKernelKeySumsTheKernelItemsItReports() {
        SnapshotFixture f = SnapshotFixture.v2WithNmt();
        f.kernel = -1; // kernels before 5.18 have no "kernel" line
        Breakdown b = Reconciler.reconcile(f.build());

        assertBytes(b, "kernel", 7 * MIB + 1_835_008 + 2 * MIB);
        assertAddsUp(b);
    }

    @Test
    void jvmCommittedBeyondResidentIsANegativeCorrection() {
        SnapshotFixture f = SnapshotFixture.v1WithoutNmt();
        f.heapCommitted = 300 * MIB; // tracked 421.5 MiB against RssAnon 400 MiB
        Breakdown b = Reconciler.reconcile(f.build());

        assertBytes(b, "committedNotResident", -22_544_384L);
        assertEquals("jvm", b.part("committedNotResident").group());
        assertTrue(b.part("committedNotResident").cause().contains("not yet touched"));
        assertNull(b.part("nativeUntracked"));
        assertBytes(b, "unexplained", 2 * MIB + 12 * KIB);
        assertAddsUp(b);
    }

    @Test
    void theHeapParallelHasNotWrittenAboveItsPoolsPeaksIsNotResidentAndNotNativeEither() {
        SnapshotFixture f = parallelPools(SnapshotFixture.v1WithoutNmt(), 120 * MIB, 95 * MIB, 6 * MIB);
        Breakdown b = Reconciler.reconcile(f.build());

        // Eden 150 MiB committed, written up to its 120 MiB peak; old 100 MiB up to 95 MiB.
        assertBytes(b, "heapUntouched", -35 * MIB);
        assertEquals("jvm", b.part("heapUntouched").group());
        assertBytes(b, "heap", 256 * MIB);
        // RssAnon 400 MiB - (JVM-tracked 377.5 MiB - 35 MiB never written)
        assertBytes(b, "nativeUntracked", 57_5 * MIB / 10);
        assertNull(b.part("committedNotResident"));
        assertAddsUp(b);
    }

    @Test
    void poolsWithoutAPeakReadingLeaveTheWholeCommittedHeapAsResident() {
        // G1's regions (the fixture's own pools), or Serial and Parallel under AlwaysPreTouch.
        Breakdown g1 = Reconciler.reconcile(SnapshotFixture.v1WithoutNmt().build());
        Breakdown noPeak = Reconciler.reconcile(parallelPools(SnapshotFixture.v1WithoutNmt(), -1, -1, -1).build());

        for (Breakdown b : List.of(g1, noPeak)) {
            assertNull(b.part("heapUntouched"));
            assertBytes(b, "nativeUntracked", 23_592_960L);
            assertAddsUp(b);
        }
    }

    @Test
    void aPoolWithoutItsPeakLeavesTheHeapUnsplitAndTheNotYetWrittenNeverExceedsTheCommittedHeap() {
        SnapshotFixture mixed = parallelPools(SnapshotFixture.v1WithoutNmt(), 120 * MIB, -1, 6 * MIB);
        assertNull(Reconciler.reconcile(mixed.build()).part("heapUntouched"));

        SnapshotFixture tiny = parallelPools(SnapshotFixture.v1WithoutNmt(), 0, 0, 0);
        tiny.heapCommitted = 50 * MIB; // the pools say 96 MiB committed above their use, the heap 50 MiB in all
        Breakdown b = Reconciler.reconcile(tiny.build());
        assertBytes(b, "heapUntouched", -50 * MIB);
        assertAddsUp(b);
    }

    /** The fixture's heap as Parallel's three pools (256 MiB committed), with the given peaks ({@code -1}: none). */
    private static SnapshotFixture parallelPools(SnapshotFixture f, long edenPeak, long oldPeak, long survivorPeak) {
        f.pools.removeIf(MemoryPoolUsage::heap);
        f.pools.add(new MemoryPoolUsage("PS Eden Space", true, 64 * MIB, 150 * MIB, -1, 0, edenPeak));
        f.pools.add(new MemoryPoolUsage("PS Old Gen", true, 90 * MIB, 100 * MIB, 384 * MIB, 85 * MIB, oldPeak));
        f.pools.add(new MemoryPoolUsage("PS Survivor Space", true, 6 * MIB, 6 * MIB, -1, 6 * MIB, survivorPeak));
        return f;
    }

    @Test
    void swappedOutJvmMemoryIsNotResidentButNotUntrackedEither() {
        SnapshotFixture f = SnapshotFixture.v1WithoutNmt();
        f.swap = 30 * MIB; // owned = 400 + 30 MiB; tracked 377.5 MiB
        Breakdown b = Reconciler.reconcile(f.build());

        assertBytes(b, "nativeUntracked", 52_5 * MIB / 10);
        assertBytes(b, "committedNotResident", -30 * MIB);
        assertAddsUp(b);
    }

    @Test
    void anotherProcessInTheCgroupIsItsPrivateAnonBeyondTheJvms() {
        SnapshotFixture f = SnapshotFixture.v1WithoutNmt();
        f.processCount = 2;
        f.rssAnon = 380 * MIB;
        f.rss = f.rssAnon + f.rssFile;
        Breakdown b = Reconciler.reconcile(f.build());

        assertBytes(b, "otherProcesses", 22 * MIB);        // 402 - 380 MiB
        assertBytes(b, "nativeUntracked", 2_5 * MIB / 10); // 380 - 377.5 MiB
        assertEquals("other", b.part("otherProcesses").group());
        assertBytes(b, "unexplained", 12 * KIB);
        assertAddsUp(b);
    }

    @Test
    void aLoneProcessNeverGetsAnOtherProcessesPart() {
        SnapshotFixture f = SnapshotFixture.v1WithoutNmt();
        f.rssAnon = 380 * MIB; // the 22 MiB gap is not blamed on a process that is not there
        Breakdown b = Reconciler.reconcile(f.build());

        assertNull(b.part("otherProcesses"));
        assertBytes(b, "unexplained", 22 * MIB + 12 * KIB);
        assertAddsUp(b);
    }

    @Test
    void withoutACgroupTheRssIsSplitIntoAnonFileAndShmem() {
        Breakdown b = Reconciler.reconcile(SnapshotFixture.noCgroup().build());

        assertEquals(326 * MIB, b.workingSetBytes());
        assertBytes(b, "heap", 160 * MIB);
        assertBytes(b, "nativeUntracked", 37 * MIB / 2);  // 300 - 281.5 MiB
        assertBytes(b, "mappedFiles", 25 * MIB);
        assertBytes(b, "shmem", MIB);
        assertBytes(b, "unexplained", 0);
        assertEquals("RssFile", b.part("mappedFiles").source());
        assertNull(b.part("activePageCache"));
        assertNull(b.part("kernel"));
        assertNull(b.part("otherProcesses"));
        assertAddsUp(b);
    }

    @Test
    void watchingTheProcessInAnUnlimitedCgroupSplitsItsRssAndLeavesTheCgroupOut() {
        // The limit option on a CI runner: the cgroup has no limit and another process holds 2 GiB in it.
        SnapshotFixture f = SnapshotFixture.v1WithoutNmt();
        f.limit = -1;
        f.processCount = 2;
        f.anon += 2048 * MIB;
        f.activeAnon += 2048 * MIB;
        f.usage += 2048 * MIB;
        f.rssAnon = 300 * MIB;
        f.rssFile = 25 * MIB;
        f.rssShmem = MIB;
        f.rss = 326 * MIB;
        f.workingSetOverride = f.rss;
        f.heapCommitted = 160 * MIB;
        Breakdown b = Reconciler.reconcile(f.build());

        assertEquals(326 * MIB, b.workingSetBytes());
        assertNull(b.part("otherProcesses"), "the other process is not this process's memory");
        assertNull(b.part("activePageCache"));
        assertNull(b.part("kernel"));
        assertBytes(b, "mappedFiles", 25 * MIB);
        assertBytes(b, "shmem", MIB);
        assertBytes(b, "unexplained", 0);
        assertAddsUp(b);
    }

    @Test
    void missingCountersAddNoPartAndLeaveTheirShareUnexplained() {
        SnapshotFixture f = SnapshotFixture.v1WithoutNmt();
        f.kernel = -1;
        f.activeFile = -1;
        f.shmem = -1;
        f.rssAnon = -1;
        f.processCount = -1;
        f.threadStackSize = -1;
        Breakdown b = Reconciler.reconcile(f.build());

        assertNull(b.part("kernel"));
        assertNull(b.part("activePageCache"));
        assertNull(b.part("shmem"));
        assertNull(b.part("threadStacks"));
        assertNull(b.part("nativeUntracked"));
        assertNull(b.part("committedNotResident"));
        // The known JVM parts stay (256 + 70 + 19.5 + 4 MiB); all else is unexplained.
        assertBytes(b, "heap", 256 * MIB);
        assertBytes(b, "unexplained", 465_055_744L - 366_477_312L);
        assertAddsUp(b);
    }

    @Test
    void nothingKnownButTheWorkingSetIsAllUnexplained() {
        SnapshotFixture f = SnapshotFixture.v1WithoutNmt();
        f.activeAnon = f.inactiveAnon = f.anon = f.file = f.activeFile = f.shmem = f.mappedFile = -1;
        f.unevictable = f.kernel = -1;
        f.rss = f.rssAnon = f.rssFile = f.rssShmem = f.swap = -1;
        f.heapCommitted = -1;
        f.threadCount = 0;
        f.pools.clear();
        f.bufferPools.clear();
        Breakdown b = Reconciler.reconcile(f.build());

        assertEquals(1, b.parts().size());
        assertBytes(b, "unexplained", b.workingSetBytes());
        assertAddsUp(b);
    }

    @Test
    void anUnknownWorkingSetHasNoParts() {
        SnapshotFixture f = SnapshotFixture.noCgroup();
        f.workingSetOverride = -1;
        Breakdown b = Reconciler.reconcile(f.build());

        assertEquals(-1, b.workingSetBytes());
        assertTrue(b.parts().isEmpty());
    }

    @Test
    void cgroupAnonStandsInForRssAnonWhenTheJvmIsAlone() {
        SnapshotFixture f = SnapshotFixture.v1WithoutNmt();
        f.rssAnon = -1;
        Breakdown b = Reconciler.reconcile(f.build());

        assertBytes(b, "nativeUntracked", 49 * MIB / 2); // private anon 402 - tracked 377.5 MiB
        assertEquals("cgroup private anon - JVM-tracked", b.part("nativeUntracked").source());
        assertBytes(b, "unexplained", 12 * KIB);
        assertAddsUp(b);
    }

    @Test
    void zgcHeapIsTakenOutOfShmemAndSetAgainstTheJvm() {
        SnapshotFixture f = SnapshotFixture.v1WithoutNmt();
        f.version = 2;
        f.kernel = 9_961_472;
        f.pools.removeIf(p -> p.heap());
        f.pools.add(new MemoryPoolUsage("ZHeap", true, 200 * MIB, 256 * MIB, 384 * MIB, -1));
        // The heap (256 MiB, a memfd) is shmem: 258 MiB with 2 MiB of tmpfs; private anon stays 168 MiB.
        f.shmem = 258 * MIB;
        f.activeAnon = 400 * MIB;
        f.inactiveAnon = 26 * MIB;
        f.anon = 168 * MIB;
        f.usage = (426 + 63) * MIB + 9_961_472;
        f.rssAnon = 168 * MIB;
        f.rssShmem = 768 * MIB; // mapped three times: RssShmem counts every mapping
        f.rss = f.rssAnon + f.rssFile + f.rssShmem;
        Breakdown b = Reconciler.reconcile(f.build());

        assertBytes(b, "heap", 256 * MIB);
        assertBytes(b, "shmem", 2 * MIB);
        assertBytes(b, "nativeUntracked", 93 * MIB / 2); // 168 + 256 - 377.5 MiB
        assertNull(b.part("committedNotResident"));
        assertBytes(b, "unexplained", 0);
        assertAddsUp(b);
    }

    @Test
    void nmtCategoryNamesBecomeLowerCamelIds() {
        assertEquals("javaHeap", Reconciler.lowerCamel("Java Heap"));
        assertEquals("gc", Reconciler.lowerCamel("GC"));
        assertEquals("gcCardSet", Reconciler.lowerCamel("GCCardSet"));
        assertEquals("jvmci", Reconciler.lowerCamel("JVMCI"));
        assertEquals("nativeMemoryTracking", Reconciler.lowerCamel("Native Memory Tracking"));
        assertEquals("sharedClassSpace", Reconciler.lowerCamel("Shared class space"));
        assertEquals("stringDeduplication", Reconciler.lowerCamel("String Deduplication"));
    }

    @Test
    void anNmtCategoryTheCatalogueDoesNotKnowKeepsItsName() {
        SnapshotFixture f = SnapshotFixture.v2WithNmt();
        f.nmt.add(SnapshotFixture.nmt("Foreign Memory", 2_048, 2_048));
        Breakdown b = Reconciler.reconcile(f.build());

        Part p = b.part("nmt.foreignMemory");
        assertNotNull(p);
        assertEquals("Foreign Memory", p.label());
        assertEquals(2 * MIB, p.bytes());
        assertAddsUp(b);
    }

    @Test
    void noPartIsNegativeExceptTheCorrectionAndTheRemainder() {
        List<SnapshotFixture> fixtures = new ArrayList<>(List.of(
                SnapshotFixture.v1WithoutNmt(), SnapshotFixture.v2WithNmt(), SnapshotFixture.noCgroup()));
        SnapshotFixture over = SnapshotFixture.v2WithNmt();
        over.rssAnon = 300 * MIB;
        fixtures.add(over);
        for (SnapshotFixture f : fixtures) {
            Breakdown b = Reconciler.reconcile(f.build());
            for (Part p : b.parts()) {
                if (!p.id().equals("committedNotResident") && !p.id().equals("heapUntouched")
                        && !p.id().equals("unexplained")) {
                    assertTrue(p.bytes() >= 0, p.id() + " = " + p.bytes());
                }
            }
            assertAddsUp(b);
        }
    }

    private static void assertBytes(Breakdown b, String id, long expected) {
        Part p = b.part(id);
        assertNotNull(p, "no part " + id + " in " + b.parts());
        assertEquals(expected, p.bytes(), id);
    }

    private static void assertAddsUp(Breakdown b) {
        long sum = 0;
        for (Part p : b.parts()) {
            sum += p.bytes();
        }
        assertEquals(b.workingSetBytes(), sum, "parts must add up to the working set");
    }
}
