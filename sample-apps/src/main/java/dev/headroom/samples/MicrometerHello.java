package dev.headroom.samples;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The smallest Micrometer application: builds a {@link PrometheusMeterRegistry}, counts once,
 * scrapes once and exits. The start benchmark times it with and without the agent: what an
 * application with Micrometer pays for the agent weaving {@code MeterRegistry} as it is defined.
 */
public final class MicrometerHello {

    private MicrometerHello() {
    }

    public static void main(String[] args) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("hello.said").increment();
        System.out.println("hello: " + registry.scrape().length() + " characters scraped");
    }
}
