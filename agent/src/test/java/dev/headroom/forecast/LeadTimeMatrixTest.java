package dev.headroom.forecast;

import dev.headroom.act.Decision;
import dev.headroom.act.PolicySettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every combination of leak rate, limit and sampling interval (generated, as Caffeine generates its
 * cache configurations) where the kernel would kill the JVM at least 10 s after start: the warning
 * must come at least 5 s before the kill, and the heap dump must be due early enough to finish.
 */
class LeadTimeMatrixTest {

    static Stream<Arguments> killedRuns() {
        List<Arguments> runs = new ArrayList<>();
        for (double rate : new double[] {2, 5, 10, 20, 30, 45, 60, 90, 120}) {
            for (long limit : new long[] {256, 384, 512, 640, 768}) {
                for (double interval : new double[] {0.25, 0.5, 1, 2}) {
                    double kill = new HeapLeak(rate, limit).killSeconds();
                    if (kill >= 10 && kill < 1200) {
                        runs.add(Arguments.of(rate, limit, interval));
                    }
                }
            }
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "{0} MiB/s in {1} MiB every {2} s")
    @MethodSource("killedRuns")
    void warnsAtLeastFiveSecondsBeforeTheKillAndDumpsInTime(double rate, long limitMib, double interval) {
        HeapLeak leak = new HeapLeak(rate, limitMib);
        double kill = leak.killSeconds();
        FakeRun run = new FakeRun(ForecastSettings.defaults(), PolicySettings.defaults().withIntervalSeconds(interval));
        long gcs = 1;
        for (double t = 0; t < kill; t += interval) {
            gcs += 2;
            run.add(leak.tick(t, gcs));
        }
        List<FakeRun.Step> warnings = run.due(Decision.Action.WARN);
        assertFalse(warnings.isEmpty(), run.transcript());
        double lead = kill - warnings.get(0).seconds();
        assertTrue(lead >= 5, "warned " + lead + " s before the kill at " + kill + " s\n" + run.transcript());

        List<FakeRun.Step> dumps = run.due(Decision.Action.DUMP_HEAP);
        assertEquals(1, dumps.size(), run.transcript());
        FakeRun.Step dump = dumps.get(0);
        double left = kill - dump.seconds();
        assertTrue(left >= dump.decision().expectedDumpSeconds(), "dump due " + left + " s before the kill, takes "
                + dump.decision().expectedDumpSeconds() + " s\n" + run.transcript());
    }
}
