package dev.headroom.publish.micrometer;

import dev.headroom.publish.Reading;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Part;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.cgroup.CgroupMemory;
import dev.headroom.sense.cgroup.MemoryEvents;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The meters Headroom publishes, described in JDK types (docs/metrics.md is the reference). The
 * list only grows: the fixed meters first, then one {@code headroom.breakdown} gauge per part id
 * and one {@code headroom.pressure.events} counter per kind the kernel reports, each added the
 * first time a reading shows it. Every value is read from the latest {@link Reading} when the
 * registry asks (at scrape or publish time), so a registry never sees a value older than a tick.
 *
 * <p>Used from the agent's tick thread only; the value functions run on the registries' threads
 * and read the {@link Supplier}, which is safe from any thread.
 */
final class HeadroomMeters {

    static final String BYTES = "bytes";
    static final String SECONDS = "seconds";
    /** The unit the OpenTelemetry semantic conventions give their memory metrics (UCUM bytes). */
    static final String OTEL_BYTES = "By";

    /** The {@code kind} tags of {@code headroom.pressure.events}, as the kernel's files name them. */
    static final List<String> PRESSURE_KINDS = List.of("oom", "oom_kill", "high", "max", "failcnt");

    private final Supplier<Reading> readings;
    private final List<MeterSpec> specs = new ArrayList<>();
    private final Set<String> parts = new HashSet<>();
    private final Set<String> pressureKinds = new HashSet<>();

    HeadroomMeters(Supplier<Reading> readings) {
        this(readings, MeterNames.HEADROOM);
    }

    HeadroomMeters(Supplier<Reading> readings, MeterNames names) {
        this.readings = readings;
        // The OpenTelemetry names are those of semantic-conventions model/k8s/metrics.yaml and
        // model/container/metrics.yaml (docs/metrics.md gives each one's stability); their unit is
        // UCUM's By.
        fixed(names, "headroom.limit", "k8s.container.memory.limit.current",
                "The container's memory limit (cgroup memory.max or memory.limit_in_bytes, or the limit "
                        + "option); NaN when no limit is set",
                () -> limit(readings.get()));
        fixed(names, "headroom.working.set", "container.memory.working_set",
                "The container's working set as the kubelet computes it: cgroup usage minus inactive file "
                        + "pages. Node-pressure evictions and kubectl top use it; the kill risk is "
                        + "headroom.unreclaimable",
                () -> workingSet(readings.get()));
        if (names.headroom()) {
            specs.add(MeterSpec.gauge("headroom.unreclaimable", BYTES,
                    "Memory the kernel cannot reclaim before its OOM killer runs: usage minus clean page cache "
                            + "and reclaimable slab. The level, the forecast and the headroom are built on it",
                    () -> unreclaimable(readings.get())));
        }
        fixed(names, "headroom.usage", "container.memory.usage",
                "The cgroup's memory usage including all page cache (memory.current or "
                        + "memory.usage_in_bytes); NaN without a memory cgroup",
                () -> usage(readings.get()));
        if (names.headroom()) {
            specs.add(MeterSpec.gauge("headroom.headroom", BYTES,
                    "Limit minus unreclaimable memory: what is left before the OOM kill; NaN when no limit is set",
                    () -> headroom(readings.get())));
        }
        if (names.otel()) {
            // The convention defines available as limit minus working set (model/container/metrics.yaml),
            // not Headroom's limit minus unreclaimable memory: published as the convention says.
            specs.add(MeterSpec.gauge("container.memory.available", OTEL_BYTES,
                    "Limit minus working set, as the OpenTelemetry convention defines it; NaN when no limit is set",
                    () -> workingSetAvailable(readings.get())));
            // No headroom.* meter of its own: the breakdown's parts split the working set finer.
            specs.add(MeterSpec.gauge("container.memory.rss", OTEL_BYTES,
                    "Anonymous memory of the cgroup (memory.stat anon on v2, total_rss on v1), as cAdvisor's "
                            + "container_memory_rss; NaN without a memory cgroup",
                    () -> rss(readings.get())));
        }
        specs.add(MeterSpec.gauge("headroom.time.to.limit", SECONDS,
                "Forecast time until the unreclaimable memory reaches the limit; NaN when it is not heading there",
                () -> timeToLimit(readings.get())));
        specs.add(MeterSpec.gauge("headroom.level", null,
                "How close the container is to its OOM kill: 0 ok, 1 warning, 2 critical",
                () -> level(readings.get())));
        specs.add(MeterSpec.gauge("headroom.thrashing", null,
                "1 while evicted file pages are read back at 1 MiB/s or more (the page cache the limit leaves "
                        + "is smaller than what the service re-reads: slow, not a kill), else 0",
                () -> thrashing(readings.get())));
        specs.add(MeterSpec.gauge("headroom.refault.rate", "bytes/second",
                "File pages read back after eviction (memory.stat workingset_refault_file), over the last 10 s; "
                        + "NaN when the kernel does not count refaults",
                () -> refaultRate(readings.get())));
        specs.add(MeterSpec.gauge("headroom.page.cache.room", BYTES,
                "The page cache the limit leaves: limit minus unreclaimable memory; NaN without a limit",
                () -> pageCacheRoom(readings.get())));
        specs.add(MeterSpec.counter("headroom.dumps",
                "Heap dumps written by the agent since the JVM started",
                () -> dumps(readings.get())));
        specs.add(MeterSpec.gauge("headroom.heap.ceiling", BYTES,
                "The largest heap the limit leaves room for with non-heap at its measured peak (the measured "
                        + "budget); NaN until the service has settled or without a limit",
                () -> heapCeiling(readings.get())));
    }

    /** A byte gauge under its Headroom name, its OpenTelemetry name, or both, as the option says. */
    private void fixed(MeterNames names, String headroomName, String otelName, String description,
                       DoubleSupplier value) {
        if (names.headroom()) {
            specs.add(MeterSpec.gauge(headroomName, BYTES, description, value));
        }
        if (names.otel()) {
            specs.add(MeterSpec.gauge(otelName, OTEL_BYTES, description, value));
        }
    }

    /** Adds the meters the latest reading shows for the first time. Returns whether any were added. */
    boolean discover() {
        Reading r = readings.get();
        if (r == null) {
            return false;
        }
        int before = specs.size();
        Breakdown b = r.breakdown();
        if (b != null) {
            for (Part p : b.parts()) {
                String id = p.id();
                if (id != null && parts.add(id)) {
                    specs.add(MeterSpec.gauge("headroom.breakdown", BYTES,
                            "The working set split into parts that add up to it; the part tag names it "
                                    + "(docs/events.md lists the parts)",
                            () -> partBytes(readings.get(), id), "part", id));
                }
            }
        }
        MemoryEvents events = events(r);
        if (events != null) {
            for (String kind : PRESSURE_KINDS) {
                ToLongFunction<MemoryEvents> counter = counter(kind);
                if (counter.applyAsLong(events) >= 0 && pressureKinds.add(kind)) {
                    specs.add(MeterSpec.counter("headroom.pressure.events",
                            "Times the cgroup hit its limits, as the kernel counts them (memory.events on "
                                    + "v2; failcnt and oom_control on v1); the kind tag names the counter",
                            () -> pressure(readings.get(), counter), "kind", kind));
                }
            }
        }
        return specs.size() > before;
    }

    /** Every meter so far, in the order they were found; the list only grows. */
    List<MeterSpec> specs() {
        return specs;
    }

    static ToLongFunction<MemoryEvents> counter(String kind) {
        return switch (kind) {
            case "oom" -> MemoryEvents::oom;
            case "oom_kill" -> MemoryEvents::oomKill;
            case "high" -> MemoryEvents::high;
            case "max" -> MemoryEvents::max;
            case "failcnt" -> MemoryEvents::failcnt;
            default -> e -> -1;
        };
    }

    static double limit(Reading r) {
        if (r == null || r.snapshot() == null || !r.snapshot().limited()) {
            return Double.NaN;
        }
        return r.snapshot().limitBytes();
    }

    static double workingSet(Reading r) {
        if (r == null || r.snapshot() == null) {
            return Double.NaN;
        }
        return r.snapshot().workingSetBytes();
    }

    static double unreclaimable(Reading r) {
        if (r == null || r.snapshot() == null) {
            return Double.NaN;
        }
        return known(r.snapshot().unreclaimableBytes());
    }

    static double thrashing(Reading r) {
        if (r == null || r.forecast() == null) {
            return Double.NaN;
        }
        return r.forecast().thrashing().active() ? 1 : 0;
    }

    static double refaultRate(Reading r) {
        return r == null || r.forecast() == null ? Double.NaN : r.forecast().thrashing().refaultBytesPerSecond();
    }

    static double pageCacheRoom(Reading r) {
        return r == null || r.forecast() == null ? Double.NaN : known(r.forecast().thrashing().pageCacheRoomBytes());
    }

    static double usage(Reading r) {
        if (r == null || r.snapshot() == null || r.snapshot().cgroup() == null) {
            return Double.NaN;
        }
        return known(r.snapshot().cgroup().usageBytes());
    }

    static double rss(Reading r) {
        if (r == null || r.snapshot() == null || r.snapshot().cgroup() == null
                || r.snapshot().cgroup().stat() == null) {
            return Double.NaN;
        }
        return known(r.snapshot().cgroup().stat().anon());
    }

    static double headroom(Reading r) {
        if (r == null || r.snapshot() == null || !r.snapshot().limited()) {
            return Double.NaN;
        }
        return r.snapshot().headroomBytes();
    }

    /** Limit minus working set (the OpenTelemetry convention's container.memory.available). */
    static double workingSetAvailable(Reading r) {
        if (r == null || r.snapshot() == null || !r.snapshot().limited()) {
            return Double.NaN;
        }
        return r.snapshot().limitBytes() - r.snapshot().workingSetBytes();
    }

    static double timeToLimit(Reading r) {
        if (r == null || r.forecast() == null) {
            return Double.NaN;
        }
        return r.forecast().secondsToLimit();
    }

    static double level(Reading r) {
        if (r == null || r.level() == null) {
            return Double.NaN;
        }
        return switch (r.level()) {
            case OK -> 0;
            case WARNING -> 1;
            case CRITICAL -> 2;
        };
    }

    static double heapCeiling(Reading r) {
        if (r == null || r.budget() == null) {
            return Double.NaN;
        }
        // Without a limit there is no ceiling; with one it may be negative (non-heap alone is over it).
        return r.budget().ceiling().limitBytes() > 0 ? r.budget().ceiling().bytes() : Double.NaN;
    }

    static double dumps(Reading r) {
        return r == null ? 0 : r.dumpsTaken();
    }

    static double partBytes(Reading r, String id) {
        if (r == null || r.breakdown() == null) {
            return Double.NaN;
        }
        Part p = r.breakdown().part(id);
        return p == null ? Double.NaN : p.bytes();
    }

    static double pressure(Reading r, ToLongFunction<MemoryEvents> counter) {
        MemoryEvents events = events(r);
        return events == null ? Double.NaN : known(counter.applyAsLong(events));
    }

    private static MemoryEvents events(Reading r) {
        if (r == null || r.snapshot() == null) {
            return null;
        }
        CgroupMemory c = r.snapshot().cgroup();
        return c == null ? null : c.events();
    }

    private static double known(long value) {
        return value < 0 ? Double.NaN : value;
    }
}
