package dev.headroom.samples;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * An application whose Micrometer registry refuses every meter it is asked to make, and whose
 * meter-added listener throws too (a registry with a bug, or one that rejects names or tags).
 * Headroom bridges its meters into every registry it finds: this one must not take the
 * application down, nor fill its log. Arguments: {@code [seconds, default 10]}. Prints
 * "throwing-meters ready" and, at the end, "throwing-meters done: ...".
 *
 * <p>Half-way through it also adds a second refusing registry to {@code Metrics.globalRegistry}:
 * Micrometer then copies every meter already in the global registry (Headroom's among them)
 * into the new child, on the application's own thread.
 */
public final class ThrowingMeters {

    /** Refuses gauges, counters and the function meters Headroom uses. */
    static final class RefusingRegistry extends SimpleMeterRegistry {
        @Override
        protected <T> Gauge newGauge(Meter.Id id, T obj, ToDoubleFunction<T> valueFunction) {
            throw new IllegalStateException("this registry refuses gauges: " + id.getName());
        }

        @Override
        protected <T> TimeGauge newTimeGauge(Meter.Id id, T obj, TimeUnit valueFunctionUnit,
                                             ToDoubleFunction<T> valueFunction) {
            throw new IllegalStateException("this registry refuses time gauges: " + id.getName());
        }

        @Override
        protected <T> FunctionCounter newFunctionCounter(Meter.Id id, T obj, ToDoubleFunction<T> countFunction) {
            throw new IllegalStateException("this registry refuses function counters: " + id.getName());
        }

        @Override
        protected Counter newCounter(Meter.Id id) {
            throw new IllegalStateException("this registry refuses counters: " + id.getName());
        }
    }

    public static void main(String[] args) throws InterruptedException {
        long seconds = (long) Rate.arg(args, 0, 10);
        // Micrometer is loaded first and the registry made seconds later, as a framework does
        // after its own start-up (Headroom instruments MeterRegistry once it is loaded, which
        // takes a moment on a busy machine; a registry made in that moment is reached only
        // through the global registry).
        System.out.println("throwing-meters: global registry " + Metrics.globalRegistry.getClass().getSimpleName());
        Thread.sleep(3000);
        RefusingRegistry registry = new RefusingRegistry();
        registry.config().onMeterAdded(m -> {
            throw new IllegalStateException("meter listener fails for " + m.getId().getName());
        });
        Rate.ready("throwing-meters", "a registry that refuses every meter");
        int refused = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        boolean added = false;
        while (System.nanoTime() < end) {
            try {
                registry.counter("app.requests").increment();
            } catch (IllegalStateException expected) {
                refused++;
            }
            if (!added && System.nanoTime() > end - seconds * 500_000_000L) {
                added = true;
                try {
                    Metrics.addRegistry(new RefusingRegistry());
                    System.out.println("throwing-meters: second registry added to the global registry");
                } catch (RuntimeException e) {
                    System.out.println("throwing-meters: adding a registry to the global registry threw " + e);
                }
            }
            Thread.sleep(100);
        }
        Rate.done("throwing-meters", refused + " of the application's own counters refused");
    }
}
