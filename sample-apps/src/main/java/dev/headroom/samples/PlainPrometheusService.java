package dev.headroom.samples;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A service without a framework, as Micrometer's own documentation shows one: the first statement
 * of {@code main} builds a {@link PrometheusMeterRegistry} (not added to
 * {@code Metrics.globalRegistry}), and the JDK's HTTP server serves its {@code scrape()} at
 * {@code /metrics} on 127.0.0.1. Headroom's meters must appear there through {@code -javaagent}
 * alone. Arguments: {@code port}. Prints "plain-prometheus-service ready on PORT"; runs until
 * killed, allocating a little now and then, as a quiet healthy service does.
 */
public final class PlainPrometheusService {

    private PlainPrometheusService() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        int port = Integer.parseInt(args[0]);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/metrics", exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        registry.counter("plain.requests.served").increment();
        System.out.println("plain-prometheus-service ready on " + port);
        byte[][] keep = new byte[16][];
        for (int i = 0; ; i++) {
            keep[i % keep.length] = new byte[256 * 1024];
            Thread.sleep(100);
        }
    }
}
