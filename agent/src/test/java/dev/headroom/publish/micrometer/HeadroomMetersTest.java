package dev.headroom.publish.micrometer;

import dev.headroom.act.Level;
import dev.headroom.publish.LatestReading;
import dev.headroom.publish.Reading;
import dev.headroom.publish.ReadingFixture;
import dev.headroom.sense.Snapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadroomMetersTest {

    private static double value(HeadroomMeters meters, String id) {
        for (MeterSpec spec : meters.specs()) {
            if (spec.id().equals(id)) {
                return spec.value().getAsDouble();
            }
        }
        throw new AssertionError("no meter " + id);
    }

    private static List<String> ids(HeadroomMeters meters) {
        List<String> ids = new ArrayList<>();
        for (MeterSpec spec : meters.specs()) {
            ids.add(spec.id());
        }
        return ids;
    }

    @Test
    void beforeTheFirstTickEveryGaugeIsNaNAndNoPartIsKnown() {
        HeadroomMeters meters = new HeadroomMeters(new LatestReading());
        assertFalse(meters.discover());
        assertEquals(List.of("headroom.limit", "headroom.working.set", "headroom.unreclaimable", "headroom.usage",
                "headroom.headroom", "headroom.time.to.limit", "headroom.level", "headroom.thrashing",
                "headroom.refault.rate", "headroom.page.cache.room", "headroom.dumps", "headroom.heap.ceiling"),
                ids(meters));
        assertTrue(Double.isNaN(value(meters, "headroom.heap.ceiling")), "no measured budget yet");
        assertTrue(Double.isNaN(value(meters, "headroom.limit")));
        assertTrue(Double.isNaN(value(meters, "headroom.level")));
        assertEquals(0, value(meters, "headroom.dumps"));
    }

    @Test
    void withoutALimitTheLimitAndTheHeadroomAreNaNButTheWorkingSetIsKnown() {
        Reading r = ReadingFixture.reading(Double.NaN, Level.OK, 0);
        Snapshot s = r.snapshot();
        // Host memory as the bound: a number, but no limit anyone set.
        Snapshot unlimited = new Snapshot(s.epochMillis(), null, s.hostMemoryBytes(), "host memory",
                s.workingSetBytes(), s.hostMemoryBytes(), s.process(), s.jvm());
        LatestReading latest = new LatestReading();
        latest.set(new Reading(unlimited, r.breakdown(), r.forecast(), r.level(), 0));
        HeadroomMeters meters = new HeadroomMeters(latest);
        meters.discover();
        assertTrue(Double.isNaN(value(meters, "headroom.limit")));
        assertTrue(Double.isNaN(value(meters, "headroom.headroom")));
        assertTrue(Double.isNaN(value(meters, "headroom.usage")), "no cgroup");
        assertEquals(320 * ReadingFixture.MIB, value(meters, "headroom.working.set"));
        assertFalse(ids(meters).contains("headroom.pressure.events{kind=oom_kill}"), "no cgroup, no kernel counters");
    }

    @Test
    void theHeadroomIsTheLimitLessTheUnreclaimableMemoryNotLessTheWorkingSet() {
        LatestReading latest = new LatestReading();
        latest.set(ReadingFixture.reading(600, Level.OK, 0));
        HeadroomMeters meters = new HeadroomMeters(latest);
        meters.discover();
        // usage 360 MiB less 60 MiB of file lists and 2 MiB of reclaimable slab: the 20 MiB of
        // active page cache is in the working set (320 MiB) but not in what decides the kill.
        assertEquals(320 * ReadingFixture.MIB, value(meters, "headroom.working.set"));
        assertEquals(298 * ReadingFixture.MIB, value(meters, "headroom.unreclaimable"));
        assertEquals((512 - 298) * ReadingFixture.MIB, value(meters, "headroom.headroom"));
        assertEquals(0, value(meters, "headroom.thrashing"));
    }

    @Test
    void partsAndPressureKindsAreAddedOnceAsTheyAreFirstSeen() {
        LatestReading latest = new LatestReading();
        latest.set(ReadingFixture.reading(600, Level.WARNING, 2));
        HeadroomMeters meters = new HeadroomMeters(latest);
        assertTrue(meters.discover());
        assertFalse(meters.discover(), "nothing new the second time");
        List<String> ids = ids(meters);
        assertTrue(ids.contains("headroom.breakdown{part=nativeUntracked}"), ids.toString());
        assertTrue(ids.contains("headroom.pressure.events{kind=failcnt}"), ids.toString());
        assertFalse(ids.contains("headroom.pressure.events{kind=high}"), "v1 has no memory.high: " + ids);
        assertEquals(41943040, value(meters, "headroom.breakdown{part=nativeUntracked}"));
        assertEquals(600, value(meters, "headroom.time.to.limit"));
        assertEquals(1, value(meters, "headroom.level"));

        // The part disappears from the next reading: its gauge stays and reads NaN.
        latest.set(ReadingFixture.reading(List.of(ReadingFixture.parts().get(0)), 600, Level.CRITICAL, 2));
        assertFalse(meters.discover());
        assertTrue(Double.isNaN(value(meters, "headroom.breakdown{part=nativeUntracked}")));
        assertEquals(2, value(meters, "headroom.level"));
    }

    @Test
    void otelNamesReplaceTheHeadroomNamesThatTheConventionsDefineWithUnitBy() {
        LatestReading latest = new LatestReading();
        latest.set(ReadingFixture.reading(600, Level.WARNING, 2));
        HeadroomMeters meters = new HeadroomMeters(latest, MeterNames.OTEL);
        meters.discover();
        List<String> ids = ids(meters);
        assertEquals(List.of("k8s.container.memory.limit.current", "container.memory.working_set",
                "container.memory.usage", "container.memory.available", "container.memory.rss",
                "headroom.time.to.limit", "headroom.level", "headroom.thrashing", "headroom.refault.rate",
                "headroom.page.cache.room", "headroom.dumps", "headroom.heap.ceiling"), ids.subList(0, 12));
        assertFalse(ids.contains("headroom.unreclaimable"), "no convention name, so not under otel: " + ids);
        assertFalse(ids.contains("headroom.limit"), ids.toString());
        assertEquals(512 * ReadingFixture.MIB, value(meters, "k8s.container.memory.limit.current"));
        assertEquals(value(meters, "k8s.container.memory.limit.current") - value(meters, "container.memory.working_set"),
                value(meters, "container.memory.available"));
        // cAdvisor's container_memory_rss: memory.stat total_rss on v1, anon on v2.
        assertEquals(280 * ReadingFixture.MIB, value(meters, "container.memory.rss"));
        for (MeterSpec spec : meters.specs()) {
            if (spec.name().startsWith("container.") || spec.name().startsWith("k8s.")) {
                assertEquals("By", spec.baseUnit(), spec.name());
            }
        }
    }

    @Test
    void bothNamesPublishEachConventionMeterTwiceWithTheSameValue() {
        LatestReading latest = new LatestReading();
        latest.set(ReadingFixture.reading(600, Level.WARNING, 2));
        HeadroomMeters meters = new HeadroomMeters(latest, MeterNames.BOTH);
        meters.discover();
        assertEquals(value(meters, "headroom.working.set"), value(meters, "container.memory.working_set"));
        assertEquals(value(meters, "headroom.usage"), value(meters, "container.memory.usage"));
        assertEquals("bytes", meters.specs().get(0).baseUnit());
        assertEquals(12 + 5, ids(meters).stream().filter(id -> !id.contains("{")).count());
    }
}
