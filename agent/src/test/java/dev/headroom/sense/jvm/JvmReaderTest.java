package dev.headroom.sense.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class JvmReaderTest {

    private static final long MIB = 1024 * 1024;

    private final JvmReader reader = new JvmReader();

    private static BufferPoolUsage direct(JvmMemory memory) {
        for (BufferPoolUsage pool : memory.bufferPools()) {
            if (pool.name().equals("direct")) {
                return pool;
            }
        }
        throw new AssertionError("no direct pool in " + memory.bufferPools());
    }

    @Test
    void seesADirectBufferInTheDirectPool() {
        long before = direct(reader.read(null)).memoryUsedBytes();

        ByteBuffer buffer = ByteBuffer.allocateDirect((int) (8 * MIB));
        long after = direct(reader.read(null)).memoryUsedBytes();
        Reference.reachabilityFence(buffer);

        assertTrue(after - before >= 8 * MIB, () -> "direct pool grew by " + (after - before));
    }

    @Test
    void readsHeapPoolsThreadsClassesAndCollections() {
        System.gc(); // so that the heap pools have a usage after GC
        JvmMemory memory = reader.read(null);

        assertTrue(memory.heapUsed() > 0 && memory.heapCommitted() >= memory.heapUsed(), memory::toString);
        assertEquals(Runtime.getRuntime().maxMemory() > 0, memory.heapMax() > 0);
        assertTrue(memory.pools().stream().anyMatch(MemoryPoolUsage::heap), memory::toString);
        assertTrue(memory.pools().stream().anyMatch(p -> p.name().equals("Metaspace") && !p.heap()
                && p.usedAfterGc() == -1), memory::toString);
        assertTrue(memory.pools().stream().anyMatch(p -> p.heap() && p.usedAfterGc() >= 0), memory::toString);
        assertEquals(ManagementFactory.getThreadMXBean().getThreadCount() > 0, memory.threadCount() > 0);
        assertTrue(memory.loadedClasses() > 1000, () -> "classes " + memory.loadedClasses());
        assertTrue(memory.gcCount() >= 1, () -> "gc count " + memory.gcCount());
        assertTrue(memory.gcTimeMillis() >= 0);
        assertTrue(memory.bufferPools().stream().anyMatch(p -> p.name().equals("mapped")), memory::toString);
        assertNull(memory.nmt());
    }

    /** Kept reachable across the collection, so the old generation's level after GC must rise. */
    private static byte[][] retained;

    @Test
    void theLevelAfterGcIsAskedAgainAfterEachCollection() {
        System.gc();
        long before = oldGenAfterGc(reader.read(null));
        assertTrue(before >= 0, "after a full GC the old generation has a level");
        assertEquals(before, oldGenAfterGc(reader.read(null)), "no collection in between: the same level");
        retained = new byte[64][];
        for (int i = 0; i < retained.length; i++) {
            retained[i] = new byte[256 * 1024];
        }
        System.gc();
        long after = oldGenAfterGc(reader.read(null));
        assertTrue(after >= before + 8L * 1024 * 1024, "16 MiB more kept: " + before + " then " + after);
        retained = null;
    }

    private static long oldGenAfterGc(JvmMemory memory) {
        return memory.pools().stream().filter(p -> p.heap() && p.name().contains("Old") || p.name().contains("Tenured"))
                .mapToLong(MemoryPoolUsage::usedAfterGc).max().orElse(-1);
    }

    @Test
    void carriesTheNmtSummaryItIsGiven() {
        NmtSummary nmt = new NmtSummary(2 * MIB, MIB, List.of(new NmtCategory("Java Heap", 2 * MIB, MIB)));

        assertSame(nmt, reader.read(nmt).nmt());
    }

    @Test
    void takesThreadStackSizeFromTheFlag() {
        JvmMemory memory = reader.read(null);

        assertEquals(reader.flags().threadStackSize(), memory.threadStackSizeBytes());
        assertTrue(memory.threadStackSizeBytes() > 0 && memory.threadStackSizeBytes() % 1024 == 0,
                () -> "stack " + memory.threadStackSizeBytes());
    }

    @Test
    void readsTheFlagsOfThisJvm() {
        JvmFlags flags = reader.flags();

        // the heap max MXBean excludes a survivor space for some collectors, never more
        assertTrue(flags.maxHeap() >= Runtime.getRuntime().maxMemory(), flags::toString);
        assertTrue(flags.reservedCodeCacheSize() > 0, flags::toString);
        assertEquals("off", flags.nmtMode());
        assertFalse(flags.gcNames().isEmpty());
        assertEquals(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-XX:MaxMetaspaceSize=")), flags.maxMetaspace() > 0);
        assertEquals(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-XX:MaxDirectMemorySize=")), flags.maxDirectMemory() > 0);
        assertTrue(flags.effectiveMaxDirectMemory() > 0);
    }

    @Test
    void answersUnknownForAJvmWithoutTheDiagnosticBean() {
        JvmFlags flags = JvmFlags.read(VmOptions.NONE, List.of("Copy"));

        assertEquals(new JvmFlags(-1, -1, -1, -1, -1, -1, null, List.of("Copy"), "off", false), flags);
    }

    @Test
    void classesLoadedBetweenAReadAndTheAgentsWorkDoneAreTheAgentsTheOnesAfterAreNot() throws Exception {
        JvmMemory first = reader.read(null);
        assertEquals(0, first.agentClassLoads());
        loadFreshClasses(3); // during the agent's tick
        reader.agentWorkDone();
        reader.agentWorkDone(); // a second call without a read in between counts nothing more
        loadFreshClasses(2); // the application's, between ticks
        JvmMemory second = reader.read(null);

        // Other threads may load classes too, so these are lower bounds.
        assertTrue(second.agentClassLoads() >= 3, () -> "the agent's: " + second.agentClassLoads());
        assertTrue(second.classesLoadedByOthers() - first.classesLoadedByOthers() >= 2,
                () -> "the others': " + first.classesLoadedByOthers() + " then " + second.classesLoadedByOthers());
        assertEquals(second.classesLoadedTotal() - second.agentClassLoads(), second.classesLoadedByOthers());
    }

    /** Loads the given number of classes the JVM has not seen: {@link Probe}, each in a loader of its own. */
    private static void loadFreshClasses(int n) throws Exception {
        byte[] bytes;
        try (var in = JvmReaderTest.class.getResourceAsStream("JvmReaderTest$Probe.class")) {
            bytes = in.readAllBytes();
        }
        for (int i = 0; i < n; i++) {
            Class<?> c = new ClassLoader(null) {
                Class<?> define() {
                    return defineClass(null, bytes, 0, bytes.length);
                }
            }.define();
            assertEquals("dev.headroom.sense.jvm.JvmReaderTest$Probe", c.getName());
        }
    }

    /** A class to load again and again. */
    static final class Probe {
    }
}
