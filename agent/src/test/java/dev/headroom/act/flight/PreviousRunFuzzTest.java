package dev.headroom.act.flight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.fuzz.Fuzz;
import dev.headroom.fuzz.JsonMutations;
import dev.headroom.fuzz.Mutations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mutated flight files read as the previous run's: {@link PreviousRun#read} never throws, and what it reports is
 * either a reason or bounded values (-1 for unknown sizes, never another negative).
 */
class PreviousRunFuzzTest {

    private static final Fuzz.Tally TALLY = new Fuzz.Tally("flight file");
    private static final String FLIGHT = Mutations.resource("/report/flight.json");
    private static Path dir;

    @BeforeAll
    static void scratch() throws IOException {
        dir = Fuzz.scratchDirectory("flight");
    }

    @AfterAll
    static void summary() {
        TALLY.print();
    }

    @Test
    void mutatedFlightFilesGiveAReasonOrBoundedValues() {
        Path file = dir.resolve("headroom-flight.json");
        List<String> flights = List.of(FLIGHT, pretty(FLIGHT));
        Fuzz.run(TALLY, "previous run mutated", 10_000, r -> {
            String text = Mutations.pick(r, flights);
            int rounds = 1 + r.nextInt(3);
            for (int i = 0; i < rounds; i++) {
                text = JsonMutations.mutateLine(text, r);
            }
            return Mutations.bytes(text, r);
        }, b -> new String(b, StandardCharsets.UTF_8), bytes -> {
            Files.write(file, bytes);
            // the liveness check is the real one: pids are whatever the mutation made of them
            PreviousRun run = PreviousRun.read(file);
            assertTrue(run.found(), "the file is there");
            if (run.reason() != null) {
                assertTrue(run.reason().length() < 10_000, "a bounded reason");
                assertEquals(-1, run.pid());
                return;
            }
            assertTrue(run.pid() >= 0, "pid");
            assertTrue(run.lastWorkingSetBytes() >= -1, "working set " + run.lastWorkingSetBytes());
            assertTrue(run.lastLimitBytes() >= -1, "limit " + run.lastLimitBytes());
            assertTrue(Double.isNaN(run.percentOfLimit()) || run.percentOfLimit() >= 0, "percent");
            assertNull(run.reason());
            assertNotNull(run);
        });
    }

    /** The same object over several lines, as a person's editor might leave it. */
    private static String pretty(String json) {
        return json.replace(", \"", ",\n  \"").replace("{\"time\"", "{\n  \"time\"");
    }
}
