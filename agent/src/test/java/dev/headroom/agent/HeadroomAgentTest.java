package dev.headroom.agent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The exit waits for the options only where there are options to read (a malformed one must be said). */
class HeadroomAgentTest {

    @Test
    void anyAgentArgumentOrHeadroomPropertyIsAnOptionToWaitFor() {
        assertTrue(HeadroomAgent.optionsGiven("interval=1s"));
        assertTrue(HeadroomAgent.optionsGiven("nonsense"), "a malformed argument above all");
        String name = "headroom.optionsGivenTest";
        System.setProperty(name, "x");
        try {
            assertTrue(HeadroomAgent.optionsGiven(null));
            assertTrue(HeadroomAgent.optionsGiven(""));
        } finally {
            System.clearProperty(name);
        }
    }

    @Test
    void withNoneGivenTheDefaultsAreAllThereIsAndTheExitDoesNotWait() {
        assumeTrue(System.getenv().keySet().stream().noneMatch(n -> n.startsWith("HEADROOM_")),
                "this test's environment names a HEADROOM_ variable");
        assumeTrue(System.getProperties().stringPropertyNames().stream().noneMatch(n -> n.startsWith("headroom.")),
                "this test's JVM has a headroom.* property");
        assertFalse(HeadroomAgent.optionsGiven(null));
        assertFalse(HeadroomAgent.optionsGiven("  "));
        assertTrue(HeadroomAgent.optionsGiven(" dumpDir=/x "));
    }
}
