package dev.headroom.forecast;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KillTrackTest {

    private static final long T0 = 1_700_000_000_000L;

    private static Forecast forecast(double atSeconds, double secondsToLimit, double basisSeconds) {
        return new Forecast(T0 + Math.round(atSeconds * 1000), 100, 200, secondsToLimit, 0.9, 1, -1, List.of(), 100,
                basisSeconds, -1, Thrashing.NONE, false);
    }

    /** Feeds one forecast a second from 0 to {@code until} (the data behind it: all seen so far). */
    private static KillTrack.Verdict feed(KillTrack track, double until, java.util.function.DoubleUnaryOperator secondsToLimit) {
        return feed(track, until, secondsToLimit, t -> t);
    }

    /** As above, with the data behind each forecast given; returns the last verdict. */
    private static KillTrack.Verdict feed(KillTrack track, double until, java.util.function.DoubleUnaryOperator secondsToLimit,
                                          java.util.function.DoubleUnaryOperator basis) {
        KillTrack.Verdict v = KillTrack.Verdict.UNKNOWN;
        for (double t = 0; t <= until; t += 1) {
            Forecast f = forecast(t, secondsToLimit.applyAsDouble(t), basis.applyAsDouble(t));
            track.add(f);
            v = track.judge(f, 1);
        }
        return v;
    }

    @Test
    void aLeaksKillStaysPutAndHolds() {
        KillTrack track = new KillTrack();
        // The kill at 100 s, whatever the tick: each second brings it one second nearer.
        assertEquals(KillTrack.Verdict.HOLDS, feed(track, 40, t -> 100 - t));
        assertEquals(0, track.lastSlope(), 1e-9);
    }

    @Test
    void aLeakThatSpeedsUpBringsItsKillNearerAndHolds() {
        KillTrack track = new KillTrack();
        assertEquals(KillTrack.Verdict.HOLDS, feed(track, 40, t -> 100 - 1.5 * t));
        assertTrue(track.lastSlope() < 0, "nearer: " + track.lastSlope());
    }

    @Test
    void growthThatLevelsOffPushesItsKillAwayAndRecedes() {
        KillTrack track = new KillTrack();
        // The forecast stays 60 s away while time passes: the instant moves a second a second.
        assertEquals(KillTrack.Verdict.RECEDING, feed(track, 40, t -> 60));
        assertEquals(1, track.lastSlope(), 1e-9);
    }

    @Test
    void withoutEarlierEstimatesThereIsNoVerdictSoAFastLeakIsNotHeldBack() {
        KillTrack track = new KillTrack();
        Forecast first = forecast(10, 8, 2);
        track.add(first);
        assertEquals(KillTrack.Verdict.UNKNOWN, track.judge(first, 1));
        // Ticks without an estimate before it do not count either.
        KillTrack quiet = new KillTrack();
        for (int t = 0; t < 10; t++) {
            quiet.add(forecast(t, Double.NaN, Double.NaN));
        }
        quiet.add(first);
        assertEquals(KillTrack.Verdict.UNKNOWN, quiet.judge(first, 1));
    }

    @Test
    void aNoisyEarlyEstimateDoesNotDecide() {
        KillTrack track = new KillTrack();
        // A leak's instant at 100 s, with one wild estimate in the oldest quarter of the look-back.
        KillTrack.Verdict v = feed(track, 40, t -> t == 30 ? 10 : 100 - t);
        assertEquals(KillTrack.Verdict.HOLDS, v, "slope " + track.lastSlope());
    }

    @Test
    void anInstantThatMovesOnlyWhenACoarseBucketClosesIsStillSeenReceding() {
        KillTrack track = new KillTrack();
        // A staircase: the forecast refitted every 10 s, each time 10 s further away, and counting
        // down in between. Every pair inside a step says "nearer"; the ends of the look-back do not.
        KillTrack.Verdict v = feed(track, 200, t -> 300 + 2 * Math.floor(t / 10) * 10 - t, t -> 200);
        assertEquals(KillTrack.Verdict.RECEDING, v, "slope " + track.lastSlope());
    }

    @Test
    void aFarForecastIsJudgedOverTheCoarseRingWhenThePerTickOneIsTooShort() {
        KillTrack track = new KillTrack();
        // 64 ticks cover 64 s; a forecast 3000 s away looks back 600 s, which only the 10 s ring covers.
        KillTrack.Verdict v = feed(track, 900, t -> 3000, t -> 900);
        assertEquals(KillTrack.Verdict.RECEDING, v);
        assertEquals(1, track.lastSlope(), 0.02);
    }
}
