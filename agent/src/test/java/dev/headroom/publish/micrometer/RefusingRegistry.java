package dev.headroom.publish.micrometer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.util.function.ToDoubleFunction;

/** A registry that refuses every gauge, as a registry whose callbacks throw would. */
public final class RefusingRegistry extends SimpleMeterRegistry {

    @Override
    protected <T> Gauge newGauge(Meter.Id id, T obj, ToDoubleFunction<T> valueFunction) {
        throw new IllegalStateException("this registry takes no gauges");
    }
}
