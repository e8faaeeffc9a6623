package dev.headroom.publish.micrometer;

/**
 * Which names the meters are published under (the {@code meterNames} option; docs/metrics.md maps
 * them): Headroom's own, the OpenTelemetry semantic conventions' where they define one, or both.
 */
public enum MeterNames {
    /** {@code headroom.*} only (the default). */
    HEADROOM,
    /**
     * The OpenTelemetry semantic-convention names ({@code container.memory.*},
     * {@code k8s.container.memory.limit.current}) with their unit {@code By}, for the meters that
     * have one; {@code headroom.*} for the rest, which the conventions do not define.
     */
    OTEL,
    /** Every meter under its Headroom name, and again under its OpenTelemetry name where it has one. */
    BOTH;

    /** The option's value ({@code headroom}, {@code otel}, {@code both}), or {@code null} for an unknown one. */
    public static MeterNames parse(String value) {
        for (MeterNames n : values()) {
            if (n.name().equalsIgnoreCase(value.trim())) {
                return n;
            }
        }
        return null;
    }

    /** Whether a meter that has an OpenTelemetry name is also published under its Headroom name. */
    boolean headroom() {
        return this != OTEL;
    }

    boolean otel() {
        return this != HEADROOM;
    }
}
