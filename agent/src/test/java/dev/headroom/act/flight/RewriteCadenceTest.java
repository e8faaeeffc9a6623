package dev.headroom.act.flight;

import dev.headroom.act.Level;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RewriteCadenceTest {

    private static final long MIB = 1L << 20;
    private static final long LIMIT = 1024 * MIB;

    @Test
    void aQuietServiceRewritesOnceAMinute() {
        RewriteCadence cadence = RewriteCadence.defaults();
        int rewrites = 0;
        for (int second = 0; second < 600; second++) {
            // Wobbling by under 1 % of the limit (10 MiB) is not news.
            long ws = 300 * MIB + (second % 2) * 5 * MIB;
            if (cadence.due(second * 1000L, Level.OK, false, ws, LIMIT)) {
                rewrites++;
            }
        }
        assertEquals(10, rewrites, "the first tick, then once every 60 s over 10 minutes");
    }

    @Test
    void aMoveOfOnePercentOfTheLimitIsRewrittenAtOnce() {
        RewriteCadence cadence = RewriteCadence.defaults();
        assertTrue(cadence.due(0, Level.OK, false, 300 * MIB, LIMIT));
        assertFalse(cadence.due(1000, Level.OK, false, 305 * MIB, LIMIT));
        assertTrue(cadence.due(2000, Level.OK, false, 311 * MIB, LIMIT), "11 MiB from the last rewrite");
        assertFalse(cadence.due(3000, Level.OK, false, 311 * MIB, LIMIT));
        assertTrue(cadence.due(4000, Level.OK, false, 300 * MIB, LIMIT), "falling counts too");
    }

    @Test
    void everyTickIsRewrittenAboveOkAndWhenTheLevelChanges() {
        RewriteCadence cadence = RewriteCadence.defaults();
        assertTrue(cadence.due(0, Level.OK, false, 300 * MIB, LIMIT));
        assertTrue(cadence.due(1000, Level.WARNING, true, 300 * MIB, LIMIT));
        assertTrue(cadence.due(2000, Level.WARNING, false, 300 * MIB, LIMIT));
        assertTrue(cadence.due(3000, Level.CRITICAL, true, 300 * MIB, LIMIT));
        assertTrue(cadence.due(4000, Level.OK, true, 300 * MIB, LIMIT), "recovered: said at once");
        assertFalse(cadence.due(5000, Level.OK, false, 300 * MIB, LIMIT));
    }

    @Test
    void aClockThatStepsBackOrAnUnknownWorkingSetRewrites() {
        RewriteCadence cadence = RewriteCadence.defaults();
        assertTrue(cadence.due(10_000, Level.OK, false, 300 * MIB, LIMIT));
        assertTrue(cadence.due(5_000, Level.OK, false, 300 * MIB, LIMIT), "clock stepped back");
        assertTrue(cadence.due(6_000, Level.OK, false, -1, LIMIT), "working set no longer known");
        assertFalse(cadence.due(7_000, Level.OK, false, -1, LIMIT));
        assertTrue(cadence.due(8_000, Level.OK, false, 300 * MIB, LIMIT), "known again");
    }

    @Test
    void withoutALimitAChangingWorkingSetIsRewrittenOnlyOnceAMinute() {
        RewriteCadence cadence = RewriteCadence.defaults();
        int rewrites = 0;
        for (int second = 0; second < 120; second++) {
            if (cadence.due(second * 1000L, Level.OK, false, 300 * MIB + second * MIB, -1)) {
                rewrites++;
            }
        }
        assertEquals(2, rewrites, "the first tick and one a minute later");
    }
}
