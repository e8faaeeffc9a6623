package dev.headroom.forecast;

import dev.headroom.act.Decision;
import dev.headroom.act.Level;
import dev.headroom.act.PolicySettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pure forecaster and policy replayed at accelerated time (each sample carries its own time):
 * slow leaks over hours and days must be warned with at least a third of the time left, and a
 * healthy service over a simulated day must give no alarm.
 */
class SlowLeakReplayTest {

    private static FakeRun run(double intervalSeconds) {
        return new FakeRun(ForecastSettings.defaults(), PolicySettings.defaults().withIntervalSeconds(intervalSeconds));
    }

    @ParameterizedTest(name = "{0} MiB/h under {1} MiB")
    @CsvSource({"1, 256", "5, 512", "10, 1024", "50, 1024"})
    void aSlowLeakIsWarnedWithAtLeastAThirdOfTheTimeLeft(double mibPerHour, long limitMib) {
        DayService leak = new DayService(limitMib, 0.5, 0.12, mibPerHour);
        double kill = leak.killSeconds(10 * DayService.DAY);
        assertTrue(Double.isFinite(kill), "the model must reach the limit");
        double interval = 5;
        FakeRun run = run(interval);
        FakeRun.Step warned = null;
        for (double t = 0; t < kill; t += interval) {
            FakeRun.Step step = run.add(leak.tick(t));
            if (warned == null && step.decision().due(Decision.Action.WARN)) {
                warned = step;
                break;
            }
        }
        assertTrue(warned != null, "never warned before the kill at " + hours(kill));
        double left = kill - warned.seconds();
        String said = String.join("; ", warned.decision().reasons());
        // For docs/how-it-works.md and docs/results.md: the lead times this replay measures.
        System.out.printf(java.util.Locale.ROOT, "replay %s MiB/h under %d MiB: kill at %s, warned at %s (%s before,"
                        + " %.0f%% of the time), forecast %s: %s%n", mibPerHour, limitMib, hours(kill),
                hours(warned.seconds()), hours(left), 100 * left / kill, hours(warned.forecast().secondsToLimit()), said);
        assertTrue(left >= kill / 3, "warned at " + hours(warned.seconds()) + ", " + hours(left) + " before the kill at "
                + hours(kill) + ": " + said);
        assertEquals(Level.WARNING, warned.decision().level(), said);
        assertTrue(said.startsWith("limit forecast in"), "the forecast warns, not the share: " + said);
        assertTrue(warned.forecast().secondsToLimit() > left / 3 && warned.forecast().secondsToLimit() < left * 3,
                "forecast " + hours(warned.forecast().secondsToLimit()) + " against " + hours(left) + " left");
    }

    @Test
    void aHealthyServiceOverADayGivesNoAlarm() {
        for (double heapShare : new double[] {0.5, 0.6}) {
            DayService healthy = new DayService(1024, heapShare, 0.15, 0);
            FakeRun run = run(2);
            for (double t = 0; t < DayService.DAY; t += 2) {
                FakeRun.Step step = run.add(healthy.tick(t));
                assertEquals(Level.OK, step.decision().level(), () -> "at " + hours(step.seconds()) + ": "
                        + step.decision().reasons());
            }
            assertTrue(run.due(Decision.Action.DUMP_HEAP).isEmpty());
        }
    }

    @Test
    void theHeapGrowingIntoItsMaxIsNoKillWhenTheCeilingsFit() {
        // Heap max 60 % and 25 % beside it: 85 % at most, once the heap has grown to its max.
        DayService healthy = new DayService(512, 0.6, 0.25, 0);
        FakeRun run = run(1);
        for (double t = 0; t < 900; t += 1) {
            FakeRun.Step step = run.add(healthy.tick(t));
            assertTrue(!step.forecast().hasEstimate() || step.forecast().confidence() < 0.5
                            || step.forecast().secondsToLimit() > 3600,
                    () -> "at " + step.seconds() + " s: " + step.forecast());
        }
        List<FakeRun.Step> warnings = run.due(Decision.Action.WARN);
        assertTrue(warnings.isEmpty(), () -> warnings.get(0).decision().reasons().toString());
    }

    private static String hours(double seconds) {
        return String.format("%.1f h", seconds / 3600);
    }
}
