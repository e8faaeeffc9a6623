package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An ordinary Spring Boot service (sample-apps/spring-service, no Headroom code) run with only
 * {@code -javaagent} in a real 512 MiB memory cgroup: Headroom's meters appear in its own
 * {@code /actuator/prometheus}, with the service's common tags, and a real Prometheus server
 * scrapes them and answers queries on them. Everything listens on 127.0.0.1 only.
 */
class PublishSpringPrometheusIT {

    private static final long LIMIT = 512L * 1024 * 1024;
    private static final Path SPRING_JAR = Path.of(System.getProperty("it.springServiceJar",
            "../sample-apps/spring-service/target/spring-service.jar"));
    private static final Path DOCS = Path.of(System.getProperty("it.docsDir", "../docs"));
    private static final Path PROMETHEUS = PrometheusServer.PROMETHEUS;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path work;

    @BeforeAll
    static void needsCgroups() {
        MemoryCgroup.requireAvailable();
    }

    @Test
    void theServicesOwnPrometheusEndpointAndARealPrometheusShowTheAgentsMeters() throws Exception {
        int port = freePort();
        Path log = work.resolve("events.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create(LIMIT);
             Service service = Service.start(work.resolve("service"), cgroup, List.of(
                     AgentJvm.agentOption("eventLog=" + log + ",interval=500ms"), "-Xmx128m"),
                     "--server.port=" + port, "--server.address=127.0.0.1")) {
            String base = "http://127.0.0.1:" + port;
            await("the service is healthy", Duration.ofSeconds(120), service,
                    () -> get(base + "/actuator/health"), body -> body.contains("\"UP\""));

            // The agent binds a registry a tick after it was built, after Spring Boot's filters.
            String scrape = await("headroom meters in /actuator/prometheus", Duration.ofSeconds(60), service,
                    () -> get(base + "/actuator/prometheus"),
                    body -> body.contains("headroom_limit_bytes{") && body.contains("headroom_breakdown_bytes{"));

            assertEquals((double) LIMIT, value(scrape, "headroom_limit_bytes{"), "the cgroup's exact limit");
            double workingSet = value(scrape, "headroom_working_set_bytes{");
            assertTrue(workingSet > 0 && workingSet <= LIMIT, "working set " + workingSet);
            assertTrue(value(scrape, "headroom_headroom_bytes{") > 0, scrape);
            String heap = line(scrape, "headroom_breakdown_bytes{");
            assertTrue(scrape.contains("part=\"heap\""), "a breakdown series per part, the heap among them:\n"
                    + grep(scrape, "headroom_"));
            // Spring Boot's common tag reached our meters: they were bound after its MeterFilters.
            assertTrue(heap.contains("application=\"spring-service\""), heap);
            assertFalse(service.stdoutText().contains("has been already registered"), service.stdoutText());

            Prerequisites.require(Files.isExecutable(PROMETHEUS), "Prometheus at " + PROMETHEUS + ", to scrape the service",
                    "apt-get install prometheus (bash .ci/run installs it)");
            try (PrometheusServer prometheus = PrometheusServer.start(work.resolve("prometheus"),
                    "spring-service", "/actuator/prometheus", "127.0.0.1:" + port, DOCS.resolve("prometheus-rules.yml"))) {
                String query = prometheus.base + "/api/v1/query?query="
                        + URLEncoder.encode("headroom_working_set_bytes", StandardCharsets.UTF_8);
                String answer = await("Prometheus has scraped the working set", Duration.ofSeconds(90), service,
                        () -> get(query), body -> body.contains("\"result\":[{"));
                JsonNode result = JSON.readTree(answer).path("data").path("result").get(0);
                assertEquals("spring-service", result.path("metric").path("application").asText(), answer);
                assertEquals("spring-service", result.path("metric").path("job").asText(), answer);
                double stored = Double.parseDouble(result.path("value").get(1).asText());
                assertTrue(stored > 0 && stored <= LIMIT, "Prometheus's working set " + stored);

                // The alert rules of docs/ load and evaluate against the real series.
                String rules = get(prometheus.base + "/api/v1/rules");
                for (String alert : List.of("HeadroomLow", "OomForecast", "HeadroomCritical")) {
                    assertTrue(rules.contains("\"name\":\"" + alert + "\""), alert + " in " + rules);
                }
                assertFalse(rules.contains("\"health\":\"err\""), rules);
            }
        }
    }

    // --- helpers ---

    private static int freePort() throws IOException {
        return PrometheusServer.freePort();
    }

    private String get(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    @FunctionalInterface
    interface Fetch {
        String get() throws Exception;
    }

    /** Polls until the answer satisfies the condition; fails with the last answer and the service's output. */
    private static String await(String what, Duration timeout, Service service, Fetch fetch, Predicate<String> ok)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = fetch.get();
            if (ok.test(last)) {
                return last;
            }
            if (!service.process.isAlive()) {
                break;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("never reached: " + what + "\nlast answer:\n" + last + "\nservice stdout:\n"
                + service.stdoutText() + "\nservice stderr:\n" + service.stderrText());
    }

    /** The first sample line of a series (name including its opening brace). */
    private static String line(String exposition, String series) {
        for (String l : exposition.split("\n")) {
            if (l.startsWith(series)) {
                return l;
            }
        }
        throw new AssertionError("no " + series + " in:\n" + grep(exposition, "headroom_"));
    }

    private static double value(String exposition, String series) {
        String l = line(exposition, series);
        return Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
    }

    private static String grep(String text, String prefix) {
        StringBuilder out = new StringBuilder();
        for (String l : text.split("\n")) {
            if (l.startsWith(prefix)) {
                out.append(l).append('\n');
            }
        }
        return out.toString();
    }

    /** The Spring Boot fat jar in its own JVM, inside the cgroup from its first page. */
    static final class Service implements AutoCloseable {
        final Process process;
        final Path stdout;
        final Path stderr;

        private Service(Process process, Path stdout, Path stderr) {
            this.process = process;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        static Service start(Path dir, MemoryCgroup cgroup, List<String> jvmArgs, String... args) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(AgentJvm.java());
            command.addAll(jvmArgs);
            command.add("-jar");
            command.add(SPRING_JAR.toAbsolutePath().toString());
            command.addAll(List.of(args));
            Files.createDirectories(dir);
            Path out = dir.resolve("stdout.txt");
            Path err = dir.resolve("stderr.txt");
            ProcessBuilder pb = new ProcessBuilder(cgroup.wrap(command)).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("HEADROOM_") || k.equals("JAVA_TOOL_OPTIONS"));
            return new Service(pb.start(), out, err);
        }

        String stdoutText() throws IOException {
            return Files.readString(stdout);
        }

        String stderrText() throws IOException {
            return Files.readString(stderr);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
