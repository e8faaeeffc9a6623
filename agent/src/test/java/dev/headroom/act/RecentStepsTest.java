package dev.headroom.act;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecentStepsTest {

    @Test
    void largestRiseIsKeptUntilItLeavesTheWindow() {
        RecentSteps steps = new RecentSteps(3);
        assertEquals(0, steps.add(100));
        assertEquals(60, steps.add(160));
        assertEquals(60, steps.add(170));
        assertEquals(60, steps.add(150)); // a fall counts as no rise
        assertEquals(10, steps.add(155), "the 60 left the window of three");
    }

    @Test
    void unknownSamplesAreSkipped() {
        RecentSteps steps = new RecentSteps(5);
        steps.add(100);
        assertEquals(0, steps.add(-1));
        assertEquals(20, steps.add(120));
    }
}
