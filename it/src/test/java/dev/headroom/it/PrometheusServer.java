package dev.headroom.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real Prometheus server (Debian's {@code prometheus}) on 127.0.0.1 with a temporary configuration and storage. */
final class PrometheusServer implements AutoCloseable {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    final Process process;
    final String base;
    final Path dir;

    private PrometheusServer(Process process, String base, Path dir) {
        this.process = process;
        this.base = base;
        this.dir = dir;
    }

    /**
     * @param job         the scrape job's name (Prometheus adds it as the {@code job} label)
     * @param metricsPath where the target serves its exposition
     * @param rules       a rules file to load, or {@code null}
     */
    static PrometheusServer start(Path dir, String job, String metricsPath, String target, Path rules)
            throws Exception {
        return start(dir, job, metricsPath, target, rules, 1);
    }

    /**
     * @param scrapeSeconds the scrape interval and timeout: a target that answers slowly (the
     *                      OpenTelemetry agent's exporter on a loaded machine) logs an error when
     *                      Prometheus gives up and closes the connection mid-answer
     */
    static PrometheusServer start(Path dir, String job, String metricsPath, String target, Path rules,
                                  int scrapeSeconds) throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: %ds
                  scrape_timeout: %ds
                  evaluation_interval: 1s
                rule_files: [%s]
                scrape_configs:
                  - job_name: %s
                    metrics_path: %s
                    static_configs:
                      - targets: ['%s']
                """.formatted(scrapeSeconds, scrapeSeconds, rules == null ? "" : "'" + rules.toAbsolutePath() + "'", job, metricsPath, target));
        int port = freePort();
        Process p = new ProcessBuilder(PROMETHEUS.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(p, "http://127.0.0.1:" + port, dir);
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.base + "/-/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return server;
                }
            } catch (IOException notYet) {
                // Still starting.
            }
            if (System.nanoTime() > deadline || !p.isAlive()) {
                server.close();
                throw new AssertionError("Prometheus never became ready:\n"
                        + Files.readString(dir.resolve("prometheus.log")));
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
