package dev.headroom.sense.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.forecast.History;
import java.util.List;
import org.junit.jupiter.api.Test;

class OwnHeapTest {

    @Test
    void aHistoryWeighsItsColumnsOf600Samples() {
        // 13 long columns, 2 float columns, 1 boolean column of 600 samples: about 68 KiB of arrays.
        long bytes = new OwnHeap(null).retainedBytes(new History());
        assertTrue(bytes >= 13 * 600 * 8 + 2 * 600 * 4 + 600, "measured " + bytes);
        assertTrue(bytes < 100_000, "measured " + bytes);
    }

    @Test
    void anObjectReachedTwiceCountsOnce() {
        History h = new History();
        OwnHeap own = new OwnHeap(null);
        long once = own.retainedBytes(h);
        assertEquals(once, own.retainedBytes(h, h));
        long throughAList = own.retainedBytes(h, List.of(h, h));
        assertTrue(throughAList > once && throughAList < once + 64, once + " then " + throughAList);
    }

    @Test
    void theBigArraysOfACollectionAreCounted() {
        long[] big = new long[10_000];
        long bytes = new OwnHeap(null).retainedBytes(List.of(big));
        assertTrue(bytes >= 80_016, "measured " + bytes);
    }

    /** Named like the agent's, but not from its code source: the test classes, like our sample apps. */
    static final class Bystander {
        final long[] data = new long[10_000];
    }

    @Test
    void aClassNamedLikeTheAgentsButFromElsewhereIsNotEntered() {
        assertTrue(OwnHeap.agentClass(OwnHeap.class));
        assertTrue(OwnHeap.agentClass(History.class));
        assertFalse(OwnHeap.agentClass(Bystander.class), "a test class, loaded from test-classes");
        assertFalse(OwnHeap.agentClass(String.class));
        // The sample apps' HeapGrowth keeps its leak in a static list under dev.headroom.samples: it
        // was counted as the agent's own heap. Only the shallow size of such an object counts.
        long bytes = new OwnHeap(null).retainedBytes(new Bystander());
        assertTrue(bytes < 1_000, "measured " + bytes);
    }

    @Test
    void withoutInstrumentationTheClassesAreUncounted() {
        assertEquals(-1, new OwnHeap(null).ownClasses());
        AgentFootprint f = new OwnHeap(null).measure(5, new History(8));
        assertEquals(-1, f.ownClasses());
        assertEquals(5, f.epochMillis());
        assertTrue(f.heapBytes() > 0);
    }
}
