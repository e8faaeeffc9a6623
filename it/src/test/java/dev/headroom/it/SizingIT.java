package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recommendation is right on both sides. Each app is run under the agent, {@code recommend}
 * is asked about its event log, and the app is run again under its usual load twice with the
 * recommended flags: in a cgroup of the recommended limit it must end normally with no kill and
 * not a word from the agent; in a cgroup 10 % below the working set's measured peak it must be
 * warned or killed, which shows the peak was real.
 */
class SizingIT {

    private static final Path SCRATCH = Path.of("target", "sizing-it").toAbsolutePath();
    private static final long MIB = 1024L * 1024;
    private static final Pattern LIMIT = Pattern.compile("\n  memory limit (\\d+)Mi\n");
    private static final Pattern TOOL_OPTIONS = Pattern.compile("- name: JAVA_TOOL_OPTIONS\n    value: \"([^\"]*)\"");
    /** Short runs: a sample every 500 ms, a snapshot event a second, settled after 3 s. */
    private static final String AGENT = "interval=500ms,snapshotEvery=1s,budgetWarmup=3s";

    /** An app, its usual load (arguments), its JVM options and the limit it is first measured in. */
    record App(String name, String mainClass, List<String> args, List<String> jvmArgs, long measureMiB) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The healthy sawtooth, a growing app that reaches a steady peak, and a spike of direct buffers
     * that is given back: each must fit its recommendation without a word.
     */
    static List<App> apps() {
        return List.of(
                new App("GC sawtooth", "dev.headroom.samples.GcSawtooth", List.of("150", "200", "10"),
                        List.of("-XX:MaxRAMPercentage=80"), 512),
                new App("direct-buffer step to a steady peak", "dev.headroom.samples.WorkingSetStep",
                        List.of("120", "3", "5", "20"), List.of("-Xmx256m"), 512),
                new App("spike that recovers", "dev.headroom.samples.SpikeThenRecover",
                        List.of("150", "2", "9"), List.of("-XX:MaxRAMPercentage=50"), 512));
    }

    @BeforeAll
    static void needsCgroups() {
        MemoryCgroup.requireAvailable();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apps")
    void theRecommendedLimitHoldsTheAppAndOneBelowItsPeakDoesNot(App app) throws Exception {
        Path dir = SCRATCH.resolve(app.mainClass().substring(app.mainClass().lastIndexOf('.') + 1));
        Run measured = runSample(app, app.jvmArgs(), app.measureMiB() * MIB, dir.resolve("measured"));
        assertEquals(0, measured.exit, "the measuring run ends normally: " + measured.stderr);
        JsonNode finalBudget = measured.finalBudget();
        assertNotNull(finalBudget, "the agent leaves its measured budget at exit: " + measured.events);

        Recommended r = recommend(measured.log);
        long peak = finalBudget.get("workingSetPeakBytes").asLong();
        assertTrue(r.limitBytes >= peak / 0.85, "the peak stays below the warning share: " + r.text);

        Run sized = runSample(app, r.flags, r.limitBytes, dir.resolve("recommended"));
        String context = app + ", recommended " + r.limitBytes / MIB + " MiB " + r.flags + "; events:\n"
                + sized.eventsText() + "\nstderr:\n" + sized.stderr;
        assertEquals(0, sized.exit, context);
        assertEquals(0, sized.oomKills, context);
        // The size holds: no kill, and not a word from the agent. The recommended flags cap direct
        // buffers above their peak, and a part the JVM caps grows only to its cap: a step to that
        // peak is no kill coming, however slowly a loaded machine touches it (before the forecast
        // knew the caps, the direct-buffer step at 39 MiB/s "forecast the limit in 12 s" in 1 of 2
        // CI runs, and the spike, taking 5 s to touch, "in 15 s").
        assertEquals(List.of(), sized.alerts(), context);

        Run tight = runSample(app, r.flags, peak * 9 / 10, dir.resolve("below-peak"));
        assertTrue(tight.exit == 137 || !tight.alerts().isEmpty(),
                app + " 10 % below its " + peak / MIB + " MiB peak must be warned or killed: exit " + tight.exit
                        + "; events:\n" + tight.eventsText());
    }

    @Test
    void theSpringBootServiceUnderLoadFitsItsRecommendation() throws Exception {
        Path dir = SCRATCH.resolve("spring");
        Run measured = runSpring(List.of("-Xmx128m"), 512 * MIB, dir.resolve("measured"), false);
        assertEquals(0, measured.oomKills, measured.stderr);
        assertNotNull(measured.finalBudget(), "the measured budget at exit: " + measured.eventsText());
        Recommended r = recommend(measured.log);
        long peak = measured.finalBudget().get("workingSetPeakBytes").asLong();

        Run sized = runSpring(r.flags, r.limitBytes, dir.resolve("recommended"), false);
        String context = "recommended " + r.limitBytes / MIB + " MiB " + r.flags + "; events:\n" + sized.eventsText();
        assertEquals(0, sized.oomKills, context);
        assertTrue(sized.served, "the service answered its load: " + context);
        // Not a word, the start included: Spring Boot's start grows memory at up to 30 MiB/s for 5 s
        // while its classes load, which the policy knows for a warm-up (WarmUp; before it, "limit
        // forecast in 9 s" warned on 2 of 2 runs at this limit).
        assertEquals(List.of(), sized.alerts(), context);

        Run tight = runSpring(r.flags, peak * 9 / 10, dir.resolve("below-peak"), true);
        assertTrue(tight.oomKills > 0 || tight.exit == 137 || !tight.alerts().isEmpty(),
                "10 % below the " + peak / MIB + " MiB peak: warned or killed; events:\n" + tight.eventsText());
    }

    // ------------------------------------------------------------------ runs

    record Recommended(long limitBytes, List<String> flags, String text) {
    }

    /** Asks the agent jar's own {@code recommend} about an event log, as a person would. */
    static Recommended recommend(Path log) throws Exception {
        Process p = new ProcessBuilder(AgentJvm.java(), "-jar", AgentJvm.AGENT_JAR.toAbsolutePath().toString(),
                "recommend", log.toString()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), text);
        Matcher limit = LIMIT.matcher(text);
        Matcher flags = TOOL_OPTIONS.matcher(text);
        assertTrue(limit.find() && flags.find(), text);
        return new Recommended(Long.parseLong(limit.group(1)) * MIB, List.of(flags.group(1).split(" ")), text);
    }

    /** @param served whether the service answered its load (it had started) */
    record Run(int exit, long oomKills, Path log, List<JsonNode> events, String stderr, boolean served) {

        List<JsonNode> alerts() {
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode e : events) {
                String n = e.path("event").asText();
                if (n.equals("warning") || n.equals("critical")) {
                    out.add(e);
                }
            }
            return out;
        }

        JsonNode finalBudget() {
            for (JsonNode e : events) {
                if (e.path("event").asText().equals("budget") && e.path("final").asBoolean(false)) {
                    return e;
                }
            }
            return null;
        }

        String eventsText() {
            StringBuilder s = new StringBuilder();
            for (JsonNode e : events) {
                if (!e.path("event").asText().equals("snapshot")) {
                    s.append(e).append('\n');
                }
            }
            return s.toString();
        }
    }

    private static Run runSample(App app, List<String> flags, long limitBytes, Path dir) throws Exception {
        ScenarioRun.deleteTree(dir);
        Files.createDirectories(dir);
        Path log = dir.resolve("events.jsonl");
        List<String> jvm = new ArrayList<>(flags);
        jvm.add(AgentJvm.agentOption("eventLog=" + log + ",dumpDir=" + dir.resolve("dumps") + "," + AGENT));
        try (MemoryCgroup cgroup = MemoryCgroup.create(limitBytes)) {
            AgentJvm jvmProcess = AgentJvm.start(dir.resolve("app"), cgroup, jvm, app.mainClass(),
                    app.args().toArray(String[]::new));
            int exit = jvmProcess.waitFor(120);
            return new Run(exit, cgroup.oomKills(), log, Files.exists(log) ? new EventLogFile(log).events() : List.of(),
                    jvmProcess.stderrText(), false);
        }
    }

    /**
     * The Spring Boot sample under its usual load: requests to {@code /hello} for 6 s with a 32 MiB
     * allocation held and released in the middle, then a clean stop. {@code untilAlert}: stopped as soon
     * as the agent has warned (a service starved of memory can take minutes to start, or never).
     */
    private static Run runSpring(List<String> flags, long limitBytes, Path dir, boolean untilAlert) throws Exception {
        ScenarioRun.deleteTree(dir);
        Files.createDirectories(dir);
        Path log = dir.resolve("events.jsonl");
        List<String> jvm = new ArrayList<>(flags);
        jvm.add(AgentJvm.agentOption("eventLog=" + log + ",dumpDir=" + dir.resolve("dumps") + "," + AGENT));
        int port = freePort();
        String base = "http://127.0.0.1:" + port;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        boolean served = false;
        int exit;
        long kills;
        try (MemoryCgroup cgroup = MemoryCgroup.create(limitBytes)) {
            PublishSpringPrometheusIT.Service service = PublishSpringPrometheusIT.Service.start(dir.resolve("service"),
                    cgroup, jvm, "--server.port=" + port, "--server.address=127.0.0.1");
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (System.nanoTime() < deadline && service.process.isAlive() && !served
                        && !(untilAlert && alerted(log))) {
                    served = ok(http, "GET", base + "/hello");
                    if (!served) {
                        Thread.sleep(250);
                    }
                }
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
                int requests = 0;
                while (served && service.process.isAlive() && System.nanoTime() < end && !(untilAlert && alerted(log))) {
                    ok(http, "GET", base + "/hello");
                    if (++requests == 200) {
                        ok(http, "POST", base + "/allocate?mib=32");
                    } else if (requests == 600) {
                        ok(http, "POST", base + "/release");
                    }
                }
            } finally {
                service.close();
            }
            exit = service.process.exitValue();
            kills = cgroup.oomKills();
        }
        return new Run(exit, kills, log, Files.exists(log) ? new EventLogFile(log).events() : List.of(), "", served);
    }

    private static boolean alerted(Path log) throws IOException {
        String text = Files.exists(log) ? Files.readString(log) : "";
        return text.contains("\"event\":\"warning\"") || text.contains("\"event\":\"critical\"");
    }

    private static boolean ok(HttpClient http, String method, String url) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build();
            return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
