package dev.headroom.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A heap that grows 30 MiB/s in a real 512 MiB cgroup, with the agent writing its event log; the
 * {@code report} command turns the log into a page, and headless Chromium renders it the way a
 * person would open it: no script errors, the bands, the markers and the end drawn.
 */
class ReportIT {

    private static final long LIMIT = 512L * 1024 * 1024;

    @TempDir
    Path work;

    @BeforeAll
    static void needsCgroupsAndChromium() {
        MemoryCgroup.requireAvailable();
        Prerequisites.require(chromium() != null, "Chromium (headless), to render the report", "apt-get install chromium (bash .ci/run installs it)");
    }

    @Test
    void reportOfAnOomKilledRunRendersInABrowser() throws Exception {
        Path log = work.resolve("events.jsonl");
        boolean killed;
        try (MemoryCgroup cgroup = MemoryCgroup.create(LIMIT);
             AgentJvm app = AgentJvm.start(work.resolve("app"), cgroup,
                     List.of(AgentJvm.agentOption("eventLog=" + log + ",interval=500ms,snapshotEvery=500ms"),
                             "-XX:MaxRAMPercentage=80"),
                     "dev.headroom.samples.HeapGrowth", "30", "120", "90")) {
            app.waitFor(150);
            killed = cgroup.oomKills() > 0;
        }
        List<?> snapshots = new EventLogFile(log).events("snapshot");
        assertTrue(snapshots.size() >= 5, "the agent wrote snapshots: " + snapshots.size());

        // The command line, as a person runs it.
        Path page = work.resolve("out.html");
        Process report = new ProcessBuilder(AgentJvm.java(), "-jar", AgentJvm.AGENT_JAR.toAbsolutePath().toString(),
                "report", log.toString(), "-o", page.toString()).redirectErrorStream(true).start();
        String said = new String(report.getInputStream().readAllBytes());
        assertTrue(report.waitFor(120, TimeUnit.SECONDS), "report ended");
        assertEquals(0, report.exitValue(), said);
        String html = Files.readString(page);
        assertTrue(html.contains("id=\"series-heap\""), "a band for the heap");
        assertTrue(html.contains("id=\"limit-line\""), "the limit");
        if (killed) {
            assertTrue(said.contains("OOM-killed at "), said);
            assertTrue(html.contains("class=\"marker marker-end-abrupt\""));
            // One verdict: the chart's end says what the title says.
            assertTrue(html.contains("\">OOM-killed</text>"), "the end marker says OOM-killed");
            assertFalse(html.contains("ended abruptly"), "no second verdict");
        }

        // Rendered by a real browser: the DOM after scripts ran, and a screenshot.
        Path png = work.resolve("report.png");
        Browser dom = chromium(page, "--dump-dom");
        assertEquals(0, dom.exitCode, dom.stderr);
        assertTrue(dom.stdout.contains("id=\"series-heap\""), "the heap's band is in the rendered DOM");
        assertTrue(dom.stdout.contains("id=\"series-working-set\""));
        assertTrue(dom.stdout.contains(killed ? "class=\"marker marker-end-abrupt\"" : "class=\"marker marker-end-"),
                "the end of the run is marked");
        assertTrue(dom.stdout.contains("<pre id=\"js-errors\" hidden=\"\"></pre>"),
                "no script error on the page: " + between(dom.stdout, "<pre id=\"js-errors\"", "</pre>"));
        for (String line : dom.stderr.split("\n")) {
            assertTrue(!(line.contains(":CONSOLE") && (line.contains("Uncaught") || line.contains("Error"))),
                    "console error: " + line);
        }
        Browser shot = chromium(page, "--screenshot=" + png, "--window-size=1400,1800", "--hide-scrollbars");
        assertEquals(0, shot.exitCode, shot.stderr);
        assertTrue(Files.size(png) > 20_000, "a screenshot with something in it: " + Files.size(png) + " bytes");
        try (DataInputStream in = new DataInputStream(Files.newInputStream(png))) {
            byte[] signature = new byte[8];
            in.readFully(signature);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, signature);
            in.readInt();
            byte[] type = new byte[4];
            in.readFully(type);
            assertEquals("IHDR", new String(type));
            assertEquals(1400, in.readInt(), "width");
            assertEquals(1800, in.readInt(), "height");
        }

        // Kept for docs/: the example report and its screenshot from a real run.
        Path keep = Path.of("target", "example-report");
        Files.createDirectories(keep);
        Files.copy(page, keep.resolve("example-report.html"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(png, keep.resolve("example-report.png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private record Browser(int exitCode, String stdout, String stderr) {
    }

    private static String chromium() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    private Browser chromium(Path page, String... what) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-");
        List<String> command = new ArrayList<>(List.of(chromium(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"));
        command.addAll(Arrays.asList(what));
        command.add(page.toUri().toString());
        Path out = work.resolve("chromium-out.txt");
        Path err = work.resolve("chromium-err.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish within 120 s");
        }
        return new Browser(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String between(String text, String from, String to) {
        int a = text.indexOf(from);
        int b = a < 0 ? -1 : text.indexOf(to, a);
        return a < 0 || b < 0 ? "(not found)" : text.substring(a, b);
    }
}
