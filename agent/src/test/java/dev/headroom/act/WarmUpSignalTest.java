package dev.headroom.act;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When {@link WarmUp} says the JVM is warming up: its counters' pace, over which ticks, for how long. */
class WarmUpSignalTest {

    private static final long T0 = 1_700_000_000_000L;

    @Test
    void classesLoadingAtAStartsPaceAreAWarmUpUntilTheWindowHasPassedWithoutThem() {
        WarmUp w = new WarmUp();
        assertFalse(w.add(T0, 3000, 0), "one tick says nothing of a pace");
        assertTrue(w.add(T0 + 1000, 3600, 0), "600 classes in a second");
        // Loading stops at 1 s. At 2 and 2.5 s the pace from the first tick is still 300 and 240 a
        // second, then none: the JVM counts as warming for 5 s after that.
        for (long t = 2000; t <= 7500; t += 500) {
            assertTrue(w.add(T0 + t, 3600, 0), "at " + t + " ms the start is 5 s old at most");
        }
        assertFalse(w.add(T0 + 8000, 3600, 0), "5 s after the last busy pace");
    }

    @Test
    void aSlowTrickleOfClassesOrABriefCompileIsNoWarmUp() {
        WarmUp w = new WarmUp();
        long classes = 5000;
        long compiled = 800;
        for (long t = 0; t <= 20_000; t += 500) {
            classes += 90; // 180 a second
            compiled += 200; // 40 % of the time
            assertFalse(w.add(T0 + t, classes, compiled), "at " + t + " ms");
        }
    }

    @Test
    void aJitBusyForHalfOfTwoSecondsIsAWarmUpOneLargeCompileIsNot() {
        WarmUp w = new WarmUp();
        for (long t = 0; t <= 30_000; t += 500) {
            assertFalse(w.add(T0 + t, 5000, 1000), "idle at " + t + " ms");
        }
        assertFalse(w.add(T0 + 30_500, 5000, 1000 + 400), "400 ms of one tick: 0.2 of the last 2 s");
        assertFalse(w.add(T0 + 31_000, 5000, 1400 + 300), "0.35 of the last 2 s");
        assertTrue(w.add(T0 + 31_500, 5000, 1700 + 400), "1,100 ms of the last 2 s");
    }

    @Test
    void afterTheFirstTwoMinutesNothingIsAWarmUp() {
        WarmUp w = new WarmUp();
        long classes = 1000;
        for (long t = 0; t <= 130_000; t += 1000) {
            classes += 500;
            boolean warming = w.add(T0 + t, classes, -1);
            if (t > 0 && t <= WarmUp.WITHIN_SECONDS * 1000) {
                assertTrue(warming, "at " + t + " ms");
            } else {
                assertFalse(warming, "at " + t + " ms");
            }
        }
    }

    @Test
    void unknownCountersOrATickNoLaterThanTheLastSayNothing() {
        WarmUp w = new WarmUp();
        assertFalse(w.add(T0, -1, -1));
        assertFalse(w.add(T0 + 1000, -1, -1));
        assertFalse(w.add(T0 + 2000, 100_000, 100_000), "a first known value is no pace");
        assertFalse(w.add(T0 + 2000, 200_000, 200_000), "the same instant again");
        assertFalse(w.add(T0 + 1500, 300_000, 300_000), "a clock that went back");
        assertFalse(w.add(T0 + 3000, 100_500, 100_000), "the pace from 2 s back, unknown then");
        assertTrue(w.add(T0 + 4000, 101_000, 100_000), "1,000 classes in the 2 s after the first known");
    }

    @Test
    void theAgentsFirstTickIsNoStartAStartsPaceIsFromTheSecondTickOn() {
        // Measured at a half second interval in OomKillIT's heap leak: between the agent's first two
        // ticks 180 classes and 261 ms of compiling, most of it the agent's own first use.
        WarmUp small = new WarmUp();
        assertFalse(small.add(T0, 2060, 488));
        assertFalse(small.add(T0 + 500, 2240, 749), "the agent's first tick, read over a whole pace's time");
        assertFalse(small.add(T0 + 1000, 2241, 762));
        // A start at 1,500 classes a second is one at once, at either interval.
        WarmUp start = new WarmUp();
        assertFalse(start.add(T0, 2000, 400));
        assertTrue(start.add(T0 + 500, 2750, 400), "750 classes in the half second after the first tick");
        WarmUp slower = new WarmUp();
        assertFalse(slower.add(T0, 2000, 400));
        assertTrue(slower.add(T0 + 1000, 3500, 400), "1,500 classes in the second after the first tick");
    }
}
