package dev.headroom.publish.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.util.function.BiConsumer;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Registers one meter in one registry, with the registry's own Micrometer classes.
 *
 * <p>This class is never loaded from the agent jar: {@link BinderInjection} reads its class file,
 * renames it into Micrometer's package and defines it in the class loader of the registry's
 * {@code MeterRegistry}, so {@code Gauge}, {@code FunctionCounter} and {@code MeterRegistry} below
 * link to the application's Micrometer, whatever its loader. The agent talks to it only through
 * JDK types: it is a {@code BiConsumer<Object, Object[]>} taking the registry and a meter
 * description ({@link MeterSpec#toArray()}), and the values come from a {@link DoubleSupplier};
 * as a {@code Function<Object, Object>} it gives a composite registry's children (an
 * {@code Object[]}), or for a registry that is no composite the number of its meters.
 * Keep it one class with no lambdas or nested classes: only this one class file is injected.
 */
final class MeterBinding implements BiConsumer<Object, Object[]>, ToDoubleFunction<Object>, Function<Object, Object> {

    MeterBinding() {
    }

    @Override
    public void accept(Object registryObject, Object[] spec) {
        MeterRegistry registry = (MeterRegistry) registryObject;
        String kind = (String) spec[0];
        String name = (String) spec[1];
        String description = (String) spec[2];
        String baseUnit = prometheusUnit(registry, (String) spec[3]);
        String[] tags = (String[]) spec[4];
        Object value = spec[5];
        if ("counter".equals(kind)) {
            // Micrometer holds a function counter's object weakly; the agent keeps it strongly.
            FunctionCounter.builder(name, value, this)
                    .description(description).baseUnit(baseUnit).tags(tags)
                    .register(registry);
        } else {
            Gauge.builder(name, value, this)
                    .description(description).baseUnit(baseUnit).tags(tags)
                    .strongReference(true)
                    .register(registry);
        }
    }

    /**
     * The OpenTelemetry names' unit is UCUM's {@code By}. A registry whose naming convention writes
     * the unit into the name (Micrometer's Prometheus registries) would show
     * {@code container_memory_usage_By}; it gets {@code bytes} instead, the word OpenTelemetry's own
     * Prometheus exporter uses for {@code By} (specification, compatibility/prometheus_and_openmetrics.md),
     * so both paths give {@code container_memory_usage_bytes}. A composite forwards one id to all
     * its children: it gets {@code bytes} when any registry below it writes units into names.
     */
    private static String prometheusUnit(MeterRegistry registry, String baseUnit) {
        return "By".equals(baseUnit) && unitInName(registry, baseUnit, 0) ? "bytes" : baseUnit;
    }

    private static boolean unitInName(MeterRegistry registry, String unit, int depth) {
        if (registry instanceof CompositeMeterRegistry) {
            if (depth < 8) {
                for (MeterRegistry child : ((CompositeMeterRegistry) registry).getRegistries()) {
                    if (unitInName(child, unit, depth + 1)) {
                        return true;
                    }
                }
            }
            return false;
        }
        return registry.config().namingConvention().name("u", Meter.Type.GAUGE, unit).endsWith(unit);
    }

    /** A composite's children (an {@code Object[]}); for any other registry, how many meters it holds (an {@code Integer}). */
    @Override
    public Object apply(Object registry) {
        if (registry instanceof CompositeMeterRegistry) {
            return ((CompositeMeterRegistry) registry).getRegistries().toArray();
        }
        return ((MeterRegistry) registry).getMeters().size();
    }

    @Override
    public double applyAsDouble(Object value) {
        return ((DoubleSupplier) value).getAsDouble();
    }
}
