package dev.headroom.report.html;

import static dev.headroom.fuzz.Mutations.pick;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.fuzz.Fuzz;
import dev.headroom.fuzz.JsonMutations;
import dev.headroom.fuzz.Mutations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Event logs and flight files cut from the report fixtures, with lines damaged (values of the wrong type, times past
 * what epoch milliseconds hold, bytes that are not UTF-8, lines cut short) and made into a page. The file exists and
 * is readable, so nothing may escape, not even an {@link IOException}; malformed lines are skipped and counted.
 */
class RunReaderFuzzTest {

    private static final Fuzz.Tally TALLY = new Fuzz.Tally("report");
    private static final List<List<String>> LOGS = List.of(
            lines(Mutations.resource("/report/oom-run.jsonl")),
            lines(Mutations.resource("/report/clean-run.jsonl")));
    private static final String FLIGHT = Mutations.resource("/report/flight.json");
    private static Path dir;

    @BeforeAll
    static void scratch() throws IOException {
        dir = Fuzz.scratchDirectory("report");
    }

    @AfterAll
    static void summary() {
        TALLY.print();
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>(Mutations.lines(text));
        lines.removeIf(String::isBlank);
        return List.copyOf(lines);
    }

    /** A run of consecutive lines of a fixture log (the start line sometimes kept), some of them damaged. */
    private static String eventLog(SplittableRandom r) {
        List<String> log = pick(r, LOGS);
        int from = r.nextInt(log.size());
        int to = Math.min(log.size(), from + 1 + r.nextInt(24));
        List<String> lines = new ArrayList<>(log.subList(from, to));
        if (r.nextBoolean()) {
            lines.add(0, log.get(0));
        }
        if (r.nextInt(4) == 0) {
            lines.addAll(log.subList(0, Math.min(3, log.size()))); // a second run appended
        }
        int damaged = r.nextInt(4);
        for (int i = 0; i < damaged; i++) {
            int at = r.nextInt(lines.size());
            lines.set(at, JsonMutations.mutateLine(lines.get(at), r));
        }
        return String.join(r.nextInt(10) == 0 ? "\r\n" : "\n", lines) + (r.nextBoolean() ? "\n" : "");
    }

    @Test
    void damagedEventLogsAndFlightFilesStillMakeAPage() {
        Path file = dir.resolve("run.jsonl");
        Fuzz.run(TALLY, "event log/flight mutated", 4_000, r -> {
            String text;
            if (r.nextInt(5) == 0) {
                text = FLIGHT;
                int damaged = 1 + r.nextInt(3);
                for (int i = 0; i < damaged; i++) {
                    text = JsonMutations.mutateLine(text, r);
                }
            } else {
                text = eventLog(r);
            }
            return Mutations.bytes(text, r);
        }, b -> new String(b, StandardCharsets.UTF_8), bytes -> {
            Files.write(file, bytes);
            // lines as BufferedReader counts them: a lone '\r' ends one too
            int lines = (int) new String(bytes, StandardCharsets.UTF_8).lines().count() + 1;
            for (int runNumber : new int[] {0, 1, 2}) {
                Run run = RunReader.read(file, runNumber);
                assertTrue(run.malformedLines() >= 0, "malformed");
                assertTrue(run.runs() >= 1 && run.runNumber() >= 1, "runs");
                if (run.kind().equals("event log")) {
                    assertTrue(run.malformedLines() <= lines, "malformed " + run.malformedLines() + " of " + lines);
                    assertTrue(run.timeline().size() <= lines, "samples come from lines");
                    assertTrue(run.runs() <= lines, "runs come from start lines");
                }
                for (int i = 1; i < run.markers().size(); i++) {
                    assertTrue(run.markers().get(i - 1).epochMillis() <= run.markers().get(i).epochMillis());
                }
            }
            HtmlReport.Page page = HtmlReport.render(file, 0);
            assertTrue(page.html().startsWith("<!DOCTYPE html>") && page.html().endsWith("</html>\n"), "a whole page");
        });
    }

    /** A log of snapshots with known garbage lines between: exactly those are counted, the rest drawn. */
    private record Generated(String text, int snapshots, int garbage) {
    }

    @Test
    void garbageLinesAmongGoodOnesAreCountedExactly() {
        Path file = dir.resolve("generated.jsonl");
        Fuzz.run(TALLY, "event log generated", 4_000, r -> {
            long t = 1_795_000_000_000L + r.nextLong(1L << 36);
            StringBuilder sb = new StringBuilder("{\"time\": \"" + Instant.ofEpochMilli(t) + "\", \"event\": \"start\"}\n");
            int snapshots = 0;
            int garbage = 0;
            int n = r.nextInt(60);
            for (int i = 0; i < n; i++) {
                t += 1 + r.nextInt(2_000);
                if (r.nextInt(4) == 0) {
                    garbage++;
                    sb.append(pick(r, "not json", "{\"time\": \"2026-11-22T14:0", "[1, 2, 3]", "\"a string\"",
                            "{\"event\": \"snapshot\"}", "{\"time\": \"yesterday\", \"event\": \"snapshot\"}",
                            "{\"time\": \"+1000000000-12-31T23:59:59Z\", \"event\": \"snapshot\"}", "42", "null",
                            "{\"time\": \"2026-11-22T14:02:00Z\"" + Mutations.randomToken(r, 10).replace("}", "")
                                    .replace('\n', 'x').replace('\r', 'x').replace('\u2028', 'x')));
                } else {
                    snapshots++;
                    long limit = 1L << (20 + r.nextInt(20));
                    long ws = r.nextLong(limit + 1);
                    sb.append("{\"time\": \"").append(Instant.ofEpochMilli(t)).append("\", \"event\": \"snapshot\", ")
                            .append("\"workingSetBytes\": ").append(ws).append(", \"limitBytes\": ").append(limit)
                            .append(", \"level\": \"").append(pick(r, "OK", "WARNING", "CRITICAL")).append("\", ")
                            .append("\"breakdown\": [{\"id\": \"heap\", \"bytes\": ").append(ws / 2)
                            .append("}, {\"id\": \"").append(pick(r, "kernel", "metaspace", "x-" + r.nextInt(9)))
                            .append("\", \"bytes\": ").append(ws - ws / 2).append("}]}");
                }
                sb.append('\n');
            }
            return new Generated(sb.toString(), snapshots, garbage);
        }, Generated::text, g -> {
            Files.write(file, g.text().getBytes(StandardCharsets.UTF_8));
            Run run = RunReader.read(file, 0);
            assertEquals(g.garbage(), run.malformedLines(), "malformed lines");
            assertEquals(g.snapshots(), run.timeline().size(), "samples");
            assertEquals(1, run.runs());
        });
    }
}
