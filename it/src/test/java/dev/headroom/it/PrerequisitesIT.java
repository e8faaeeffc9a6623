package dev.headroom.it;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15, item 12: a machine without what an integration test needs fails that test with a line
 * naming it and how to get it, and skips it only when told to, so that {@code mvn -B verify} never
 * passes on a quietly smaller set of tests.
 */
class PrerequisitesIT {

    @Test
    void aMissingPrerequisiteFailsWithWhatIsMissingAndHowToGetIt() {
        String before = System.clearProperty(Prerequisites.ALLOW_MISSING);
        try {
            AssertionFailedError e = assertThrows(AssertionFailedError.class,
                    () -> Prerequisites.require(false, "Chromium", "apt-get install chromium"));
            assertTrue(e.getMessage().contains("this test needs Chromium: apt-get install chromium"), e.getMessage());
            assertTrue(e.getMessage().contains("-Dit.allowMissing=true"), "says how to skip instead: " + e.getMessage());
            assertDoesNotThrow(() -> Prerequisites.require(true, "Chromium", "apt-get install chromium"));
        } finally {
            restore(before);
        }
    }

    @Test
    void itIsSkippedOnlyWhenSkippingWasAskedFor() {
        String before = System.setProperty(Prerequisites.ALLOW_MISSING, "true");
        try {
            TestAbortedException e = assertThrows(TestAbortedException.class,
                    () -> Prerequisites.require(false, "Prometheus", "apt-get install prometheus"));
            assertTrue(e.getMessage().contains("skipped: -Dit.allowMissing=true"), e.getMessage());
        } finally {
            restore(before);
        }
    }

    private static void restore(String value) {
        if (value == null) {
            System.clearProperty(Prerequisites.ALLOW_MISSING);
        } else {
            System.setProperty(Prerequisites.ALLOW_MISSING, value);
        }
    }
}
