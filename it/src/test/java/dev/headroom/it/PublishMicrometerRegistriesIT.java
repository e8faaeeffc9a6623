package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
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
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Registries that no framework hands to {@code Metrics.globalRegistry}, each built at the first
 * instant it could be (issue 13), and the OpenTelemetry Java agent beside Headroom, in real 512 MiB
 * memory cgroups with a real Prometheus server reading the results back through its HTTP API.
 * Everything listens on 127.0.0.1 only.
 */
class PublishMicrometerRegistriesIT {

    private static final long LIMIT = 512L * 1024 * 1024;
    private static final Path OTEL_AGENT = Path.of(System.getProperty("it.otelAgentJar",
            "target/otel/opentelemetry-javaagent.jar"));
    /** The OpenTelemetry agent's premain alone has taken over a minute on a loaded two-core machine. */
    private static final Duration START = Duration.ofSeconds(240);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path work;

    @BeforeAll
    static void needsCgroupsAndPrometheus() {
        MemoryCgroup.requireAvailable();
        Prerequisites.require(Files.isExecutable(PrometheusServer.PROMETHEUS), "Prometheus at " + PrometheusServer.PROMETHEUS
                + ", to scrape the services", "apt-get install prometheus (bash .ci/run installs it)");
    }

    @Test
    void aPrometheusRegistryBuiltByMainsFirstStatementIsScrapedWithTheExactLimit() throws Exception {
        int port = PrometheusServer.freePort();
        try (MemoryCgroup cgroup = MemoryCgroup.create(LIMIT);
             AgentJvm app = AgentJvm.start(work.resolve("app"), cgroup,
                     List.of(AgentJvm.agentOption("interval=500ms"), "-Xmx64m"), micrometerJars(),
                     "dev.headroom.samples.PlainPrometheusService", Integer.toString(port));
             PrometheusServer prometheus = PrometheusServer.start(work.resolve("prometheus"), "plain", "/metrics",
                     "127.0.0.1:" + port, null)) {
            JsonNode limit = awaitSeries(prometheus, "headroom_limit_bytes", app);
            assertEquals("plain", limit.path("metric").path("job").asText(), limit.toString());
            assertEquals((double) LIMIT, value(limit), "the cgroup's exact limit, read back from Prometheus");
            double workingSet = value(awaitSeries(prometheus, "headroom_working_set_bytes", app));
            assertTrue(workingSet > 0 && workingSet <= LIMIT, "working set " + workingSet);
            String scrape = get("http://127.0.0.1:" + port + "/metrics");
            assertTrue(scrape.contains("headroom_breakdown_bytes{part=\"heap\"}"), scrape);
            // The default names only: no OpenTelemetry name unless asked for.
            assertFalse(scrape.contains("container_memory_"), scrape);
            assertEquals("", unexpected(app.stderrText()), "stderr:\n" + app.stderrText());
        }
    }

    @Test
    void springBootWithoutTheGlobalRegistryHasTheMetersInActuatorPrometheusUnderBothNames() throws Exception {
        int port = PrometheusServer.freePort();
        try (MemoryCgroup cgroup = MemoryCgroup.create(LIMIT);
             PublishSpringPrometheusIT.Service service = PublishSpringPrometheusIT.Service.start(
                     work.resolve("service"), cgroup,
                     List.of(AgentJvm.agentOption("interval=500ms,meterNames=both"), "-Xmx128m"),
                     "--server.port=" + port, "--server.address=127.0.0.1",
                     "--management.metrics.use-global-registry=false")) {
            String scrape = await("headroom meters in /actuator/prometheus", service.process,
                    () -> get("http://127.0.0.1:" + port + "/actuator/prometheus"),
                    body -> body.contains("headroom_limit_bytes{")
                            && body.contains("container_memory_working_set_bytes{"));
            assertEquals((double) LIMIT, sample(scrape, "headroom_limit_bytes{"), scrape);
            assertEquals((double) LIMIT, sample(scrape, "k8s_container_memory_limit_current_bytes{"), scrape);
            // The OpenTelemetry unit By is written as bytes in a registry that puts units into names.
            assertTrue(scrape.contains("# TYPE container_memory_usage_bytes gauge"), scrape);
            assertFalse(scrape.contains("_By"), scrape);
            // Bound after Spring Boot's MeterFilters: the common tag is on our meters.
            assertTrue(line(scrape, "headroom_limit_bytes{").contains("application=\"spring-service\""), scrape);
        }
    }

    @Test
    void aRegistryBuiltInAChildLoaderAtTheFirstInstantOfMainCarriesItsCommonTag() throws Exception {
        String jars = String.join(File.pathSeparator, micrometerJars().stream().map(Path::toString).toList());
        try (MemoryCgroup cgroup = MemoryCgroup.create(LIMIT);
             AgentJvm app = AgentJvm.start(work.resolve("app"), cgroup,
                     List.of(AgentJvm.agentOption("interval=500ms"), "-Xmx64m"),
                     "dev.headroom.samples.ChildLoaderRegistry", jars, "60")) {
            String expected = "meter headroom.limit{service=child-loader} " + LIMIT;
            // The breakdown's meters come with the first reading that has the part, a tick or two after the
            // limit's (seen in CI: one print of the meters between the two): waited for, not assumed.
            String out = await("the child loader's registry holds the limit and the heap's part with its tag",
                    app.process, app::stdoutText, text -> text.contains(expected) && text.lines()
                            .anyMatch(l -> l.startsWith("meter headroom.breakdown{part=heap,service=child-loader} ")));
            assertTrue(out.contains("child-loader-registry ready: io.micrometer.core.instrument.simple"
                    + ".SimpleMeterRegistry in micrometer"), out);
            assertFalse(out.lines().anyMatch(l -> l.startsWith("meter headroom.") && !l.contains("service=child-loader")),
                    out);
        }
    }

    @Test
    void besideTheOpenTelemetryAgentHeadroomFirstTheMetersReachItsExportUnderBothNames() throws Exception {
        otelRun(true, "both", run -> {
        assertEquals((double) LIMIT, run.value("headroom_limit_bytes"));
        assertEquals((double) LIMIT, run.value("k8s_container_memory_limit_current_bytes"));
        double workingSet = run.value("container_memory_working_set_bytes");
        assertTrue(workingSet > 0 && workingSet <= LIMIT, "working set " + workingSet);
        assertTrue(run.value("container_memory_usage_bytes") >= workingSet * 0.5, "usage");
        assertTrue(run.value("container_memory_rss_bytes") > 0, "rss");
        double available = run.value("container_memory_available_bytes");
        assertTrue(available > 0 && available < LIMIT, "available " + available);
        // OpenTelemetry's exporter wrote By as the suffix bytes, and says so in its metadata.
        assertEquals("gauge", run.metadata("container_memory_working_set_bytes").path("type").asText());
        assertEquals("io.opentelemetry.micrometer-1.5",
                run.instance("headroom_limit_bytes").path("metric").path("otel_scope_name").asText(),
                "through OpenTelemetry's Micrometer bridge");
        });
    }

    @Test
    void besideTheOpenTelemetryAgentLoadedFirstTheOtelNamesAloneReachItsExport() throws Exception {
        otelRun(false, "otel", run -> {
        assertEquals((double) LIMIT, run.value("k8s_container_memory_limit_current_bytes"));
        assertTrue(run.value("container_memory_working_set_bytes") > 0);
        double level = run.value("headroom_level");
        assertTrue(level >= 0 && level <= 2, "meters without an OpenTelemetry name keep theirs: level " + level);
        assertTrue(run.absent("headroom_limit_bytes"), "otel replaces the names the conventions define");
        });
    }

    /**
     * Issue 11: a healthy service started beside the OpenTelemetry agent (whose own start-up grows
     * heap, metaspace and native memory for seconds) raises no warning, is never critical and gets
     * no heap dump. Watched for 30 snapshots, one a second, after the meters reached the export.
     * (Before the forecast told growth that levels off from a leak: one warning in each of 2 CI
     * runs, "limit forecast in 50 s", native not tracked +5 MB/s, confidence 0.52.)
     */
    @Test
    void aHealthyServiceBesideTheOpenTelemetryAgentRaisesNoAlarm() throws Exception {
        Path log = work.resolve("events.jsonl");
        otelRun(true, "headroom", run -> {
            List<JsonNode> events = new EventLogFile(log).awaitEvents(
                    e -> EventLogFile.count(e, "snapshot") >= 30, Duration.ofSeconds(120), null);
            assertEquals(0, EventLogFile.count(events, "warning"), "a healthy service: no warning: " + events);
            assertEquals(0, EventLogFile.count(events, "critical"), "a healthy service: nothing critical: " + events);
            assertEquals(0, EventLogFile.count(events, "heapDump"), "a healthy service: no heap dump: " + events);
        });
    }

    @FunctionalInterface
    private interface OtelCheck {
        void check(OtelRun run) throws Exception;
    }

    // --- the OpenTelemetry agent ---

    /** What the run left: the series Prometheus holds, read through its HTTP API. */
    private final class OtelRun {
        final PrometheusServer prometheus;
        final String base;

        OtelRun(PrometheusServer prometheus) {
            this.prometheus = prometheus;
            this.base = prometheus.base;
        }

        JsonNode instance(String metric) throws Exception {
            JsonNode result = JSON.readTree(get(base + "/api/v1/query?query="
                    + URLEncoder.encode(metric, StandardCharsets.UTF_8))).path("data").path("result");
            assertEquals(1, result.size(), metric + ": " + result);
            return result.get(0);
        }

        double value(String metric) throws Exception {
            return PublishMicrometerRegistriesIT.value(instance(metric));
        }

        boolean absent(String metric) throws Exception {
            return JSON.readTree(get(base + "/api/v1/query?query=" + metric)).path("data").path("result").isEmpty();
        }

        JsonNode metadata(String metric) throws Exception {
            JsonNode entries = JSON.readTree(get(base + "/api/v1/metadata?metric=" + metric)).path("data").path(metric);
            assertEquals(1, entries.size(), metric + " metadata: " + entries);
            return entries.get(0);
        }
    }

    /**
     * The plain service with both agents, OpenTelemetry's Micrometer bridge on and its Prometheus
     * exporter on a loopback port that a real Prometheus scrapes. Runs until the Headroom meters are
     * in Prometheus, hands Prometheus to the caller's check, then checks that both streams are
     * clean (no error, no stack trace) and that Headroom reported no problem. The event log is
     * {@code events.jsonl} in the test's directory, a snapshot a second.
     */
    private void otelRun(boolean headroomFirst, String meterNames, OtelCheck check) throws Exception {
        Prerequisites.require(Files.isReadable(OTEL_AGENT), "the OpenTelemetry Java agent at " + OTEL_AGENT,
                "mvn verify copies it in pre-integration-test (it/pom.xml)");
        int appPort = PrometheusServer.freePort();
        int otelPort = PrometheusServer.freePort();
        Path log = work.resolve("events.jsonl");
        List<String> jvm = new ArrayList<>();
        String headroom = AgentJvm.agentOption("interval=500ms,snapshotEvery=1s,eventLog=" + log
                + ",meterNames=" + meterNames);
        String otel = "-javaagent:" + OTEL_AGENT.toAbsolutePath();
        jvm.add(headroomFirst ? headroom : otel);
        jvm.add(headroomFirst ? otel : headroom);
        jvm.addAll(List.of("-Xmx64m",
                "-Dotel.instrumentation.micrometer.enabled=true",
                "-Dotel.metrics.exporter=prometheus",
                "-Dotel.exporter.prometheus.host=127.0.0.1",
                "-Dotel.exporter.prometheus.port=" + otelPort,
                "-Dotel.metric.export.interval=1000",
                "-Dotel.traces.exporter=none",
                "-Dotel.logs.exporter=none"));
        try (MemoryCgroup cgroup = MemoryCgroup.create(LIMIT);
             AgentJvm app = AgentJvm.start(work.resolve("app"), cgroup, jvm, micrometerJars(),
                     "dev.headroom.samples.PlainPrometheusService", Integer.toString(appPort))) {
            await("the service is up", app.process, app::stdoutText, out -> out.contains("ready on"));
            PrometheusServer prometheus = PrometheusServer.start(work.resolve("prometheus"), "otel", "/metrics",
                    "127.0.0.1:" + otelPort, null, 5);
            try {
                String expected = meterNames.equals("otel") ? "k8s_container_memory_limit_current_bytes"
                        : "headroom_limit_bytes";
                awaitSeries(prometheus, expected, app);
                check.check(new OtelRun(prometheus));
                assertTrue(app.process.isAlive(), "the service runs");
                assertEquals("", unexpected(app.stderrText()), "stderr:\n" + app.stderrText());
                assertEquals("", unexpected(app.stdoutText()), "stdout:\n" + app.stdoutText());
                List<JsonNode> events = new EventLogFile(log).events();
                assertEquals(0, EventLogFile.count(events, "problem"), "no problem: " + events);
            } finally {
                prometheus.close();
            }
        }
    }

    // --- helpers ---

    /**
     * Lines that should never be on a run's streams: errors, exceptions, stack frames, the
     * OpenTelemetry agent's warnings. Its INFO line and the JVM's note that its bootstrap jar turns
     * off class sharing (printed with or without Headroom) are expected; Headroom's own level lines
     * are judged by the event log.
     */
    private static String unexpected(String stream) {
        StringBuilder out = new StringBuilder();
        for (String l : stream.split("\n")) {
            if (l.contains("ERROR") || l.contains("Exception") || l.startsWith("\tat ") || l.contains("SEVERE")
                    || l.contains(" WARN ") || l.startsWith("headroom: micrometer")) {
                out.append(l).append('\n');
            }
        }
        return out.toString();
    }

    /** Micrometer (with its Prometheus registry) and what it needs, from this test's class path. */
    private static List<Path> micrometerJars() {
        List<Path> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("micrometer-") || name.startsWith("prometheus-metrics-")
                    || name.startsWith("HdrHistogram") || name.startsWith("LatencyUtils") || name.startsWith("jspecify")) {
                jars.add(Path.of(entry));
            }
        }
        assertTrue(jars.stream().anyMatch(p -> p.getFileName().toString().startsWith("micrometer-registry-prometheus")),
                "micrometer-registry-prometheus on the test class path: " + jars);
        return jars;
    }

    private JsonNode awaitSeries(PrometheusServer prometheus, String metric, AgentJvm app) throws Exception {
        String query = prometheus.base + "/api/v1/query?query=" + URLEncoder.encode(metric, StandardCharsets.UTF_8);
        String answer = await("Prometheus holds " + metric, app.process, () -> get(query),
                body -> body.contains("\"result\":[{"));
        return JSON.readTree(answer).path("data").path("result").get(0);
    }

    private static double value(JsonNode series) {
        return Double.parseDouble(series.path("value").get(1).asText());
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

    /** Polls until the answer satisfies the condition; fails with the last answer once the process ended or time ran out. */
    private static String await(String what, Process process, Fetch fetch, Predicate<String> ok) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = fetch.get();
            if (ok.test(last)) {
                return last;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("never reached: " + what + "\nlast answer:\n" + last);
    }

    private static String line(String exposition, String series) {
        for (String l : exposition.split("\n")) {
            if (l.startsWith(series)) {
                return l;
            }
        }
        throw new AssertionError("no " + series + " in the exposition");
    }

    private static double sample(String exposition, String series) {
        String l = line(exposition, series);
        return Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
    }
}
