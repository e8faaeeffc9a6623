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
    void withoutHistoryThereIsNoVerdictSoAFastLeakIsNotHeldBack() {
        KillTrack track = new KillTrack();
        Forecast first = forecast(10, 8, 2);
        track.add(first);
        assertEquals(KillTrack.Verdict.UNKNOWN, track.judge(first, 1));
        // Ticks without an estimate, but not reaching back over the look-back: still no verdict.
        KillTrack young = new KillTrack();
        young.add(forecast(9, Double.NaN, Double.NaN));
        young.add(forecast(9.5, Double.NaN, Double.NaN));
        young.add(first);
        assertEquals(KillTrack.Verdict.UNKNOWN, young.judge(first, 1));
    }

    @Test
    void theAgeOfTheEstimatesIsFromTheFirstOneAfterAStretchWithout() {
        KillTrack track = new KillTrack();
        for (int t = 0; t < 30; t++) {
            track.add(forecast(t, Double.NaN, Double.NaN));
        }
        assertTrue(Double.isNaN(track.ageSeconds()), "no estimate now: no age");
        track.add(forecast(30, 100, 2));
        assertEquals(0, track.ageSeconds(), 1e-9);
        for (int t = 31; t <= 40; t++) {
            // One tick in three without an estimate: a flicker, shorter than the gap, does not break the run.
            track.add(forecast(t, t % 3 == 0 ? Double.NaN : 100, 2));
        }
        track.add(forecast(41, 90, 2));
        assertEquals(11, track.ageSeconds(), 1e-9);
        // A stretch without an estimate longer than the gap (10 s at 1 s) starts the count again.
        for (int t = 42; t <= 53; t++) {
            track.add(forecast(t, Double.NaN, Double.NaN));
        }
        track.add(forecast(54, 80, 2));
        track.add(forecast(55, 80, 2));
        assertEquals(1, track.ageSeconds(), 1e-9);
        // Estimates below the confidence asked for (the flickers of a flat series) do not make a run.
        KillTrack faint = new KillTrack();
        for (int t = 0; t < 30; t++) {
            faint.add(new Forecast(T0 + t * 1000L, 100, 200, 500, 0.1, 1, -1, List.of(), 100, 10, -1,
                    Thrashing.NONE, false));
        }
        faint.add(forecast(30, 100, 2));
        faint.add(forecast(31, 99, 2));
        assertEquals(1, faint.ageSeconds(), 1e-9);
        assertEquals(31, faint.historySeconds(), 1e-9);
    }

    @Test
    void estimatesSinceTheAgentsFirstTickAreAsOldAsItAndALateRunIsAsOldAsItself() {
        KillTrack young = new KillTrack();
        for (int t = 0; t <= 20; t++) {
            young.add(forecast(t, 100, t));
        }
        assertEquals(20, young.ageSeconds(), 1e-9);

        KillTrack old = new KillTrack();
        for (int t = 0; t <= 2000; t++) {
            old.add(forecast(t, 5000 - t, t));
        }
        assertEquals(2000, old.ageSeconds(), 1e-9);
        // A run that began within the coarse ring's reach, past the per-tick ring's.
        KillTrack middle = new KillTrack();
        for (int t = 0; t <= 400; t++) {
            middle.add(forecast(t, t < 200 ? Double.NaN : 5000 - t, t));
        }
        assertEquals(200, middle.ageSeconds(), 1e-9);
        assertEquals(400, middle.historySeconds(), 1e-9);
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
