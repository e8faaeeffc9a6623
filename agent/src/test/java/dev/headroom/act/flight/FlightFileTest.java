package dev.headroom.act.flight;

import dev.headroom.io.IsolatedWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.headroom.act.Level;
import dev.headroom.forecast.Forecast;
import dev.headroom.forecast.Trend;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Part;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.process.ProcessMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlightFileTest {

    static final long MIB = 1024 * 1024;
    static final long LIMIT = 1024 * MIB;
    static final long T0 = 1_714_558_500_000L; // 2024-05-01T10:15:00Z
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path tmp;

    static Snapshot snapshot(long t, long ws) {
        return new Snapshot(t, null, LIMIT, Snapshot.LIMIT_OPTION, ws, 16 * 1024 * MIB, ProcessMemory.UNKNOWN, null);
    }

    static Breakdown breakdown(long t, long heap, long metaspace) {
        return new Breakdown(t, heap + metaspace, LIMIT, List.of(
                new Part("heap", "Java heap (committed)", "jvm", heap, "MemoryMXBean", ""),
                new Part("metaspace", "Metaspace", "jvm", metaspace, "NMT", "class loading")));
    }

    static Forecast forecast(long t, long ws) {
        return new Forecast(t, ws, LIMIT, 42.5, 0.8, 2.0 * MIB, 900 * MIB,
                List.of(new Trend("heap", "Java heap", 700 * MIB, 2.0 * MIB)));
    }

    private void tick(FlightFile f, int i, Level level) {
        long t = T0 + i * 1000L;
        long heap = (600 + i) * MIB;
        assertNull(f.update(snapshot(t, heap + 100 * MIB), breakdown(t, heap, 100 * MIB), forecast(t, heap), level));
    }

    @Test
    void roundTripsTheLatestStateAndTheLastSamples() throws IOException {
        FlightFile f = new FlightFile(tmp.resolve("headroom-flight.json"), 4242, T0 - 60_000, 3, () -> T0 + 99_000, IsolatedWriter.inline());
        for (int i = 0; i < 5; i++) {
            tick(f, i, i < 4 ? Level.OK : Level.WARNING);
        }

        JsonNode n = MAPPER.readTree(f.path().toFile());

        assertEquals("2024-05-01T10:15:04Z", n.get("time").asText());
        assertEquals("flight", n.get("event").asText());
        assertEquals(4242, n.get("pid").asLong());
        assertEquals("2024-05-01T10:14:00Z", n.get("startTime").asText());
        assertFalse(n.get("ended").asBoolean());
        assertTrue(n.get("endReason").isNull());
        assertEquals(704 * MIB, n.get("workingSetBytes").asLong());
        assertEquals(LIMIT, n.get("limitBytes").asLong());
        assertEquals(Snapshot.LIMIT_OPTION, n.get("limitSource").asText());
        assertEquals(LIMIT - 704 * MIB, n.get("headroomBytes").asLong());
        assertEquals("metaspace", n.get("breakdown").get(1).get("id").asText());
        assertEquals("WARNING", n.get("level").asText());
        assertEquals(42.5, n.get("forecast").get("secondsToLimit").asDouble());
        assertEquals(0.8, n.get("forecast").get("confidence").asDouble());
        assertEquals(2.0 * MIB, n.get("forecast").get("growthBytesPerSecond").asDouble());
        assertEquals(900 * MIB, n.get("forecast").get("heapCeilingBytes").asLong());
        JsonNode history = n.get("history");
        assertEquals(3, history.size());
        for (int j = 0; j < 3; j++) {
            JsonNode h = history.get(j);
            int i = j + 2;
            assertEquals(T0 + i * 1000L, h.get("t").asLong());
            assertEquals((700 + i) * MIB, h.get("ws").asLong());
            assertEquals(LIMIT, h.get("limit").asLong());
            assertEquals((600 + i) * MIB, h.get("parts").get("heap").asLong());
            assertEquals(100 * MIB, h.get("parts").get("metaspace").asLong());
        }
    }

    @Test
    void aTickThatDoesNotRewriteStillJoinsTheHistoryOfTheNextRewrite() throws IOException {
        Path path = tmp.resolve("flight.json");
        FlightFile f = new FlightFile(path, 1, T0, 10, IsolatedWriter.inline());
        f.update(snapshot(T0, 100 * MIB), breakdown(T0, 60 * MIB, 20 * MIB), forecast(T0, 100 * MIB), Level.OK, true);
        String first = Files.readString(path);
        f.update(snapshot(T0 + 1_000, 110 * MIB), breakdown(T0 + 1_000, 70 * MIB, 20 * MIB),
                forecast(T0 + 1_000, 110 * MIB), Level.OK, false);
        assertEquals(first, Files.readString(path), "not rewritten");

        f.update(snapshot(T0 + 2_000, 120 * MIB), breakdown(T0 + 2_000, 80 * MIB, 20 * MIB),
                forecast(T0 + 2_000, 120 * MIB), Level.OK, true);
        JsonNode history = MAPPER.readTree(path.toFile()).get("history");
        assertEquals(3, history.size());
        assertEquals(T0 + 1_000, history.get(1).get("t").asLong());
        assertEquals(110 * MIB, history.get(1).get("ws").asLong());
    }

    @Test
    void unknownForecastNumbersAreNull() throws IOException {
        FlightFile f = new FlightFile(tmp.resolve("flight.json"), 1, T0, 10, IsolatedWriter.inline());
        f.update(snapshot(T0, 500 * MIB), breakdown(T0, 400 * MIB, 100 * MIB), Forecast.none(T0, 500 * MIB, LIMIT),
                Level.OK);

        JsonNode fc = MAPPER.readTree(f.path().toFile()).get("forecast");

        assertTrue(fc.get("secondsToLimit").isNull());
        assertTrue(fc.get("heapCeilingBytes").isNull());
        assertEquals(0.0, fc.get("confidence").asDouble());
    }

    @Test
    void eachRewriteReplacesTheFileByRenameLeavingNoTemporaryFile() throws IOException {
        FlightFile f = new FlightFile(tmp.resolve("flight.json"), 1, T0, 10, IsolatedWriter.inline());
        tick(f, 0, Level.OK);
        Object before = Files.readAttributes(f.path(), BasicFileAttributes.class).fileKey();

        tick(f, 1, Level.OK);

        // A new inode: the old file was replaced whole (rename), not rewritten in place where a
        // kill could leave it half written.
        assertNotEquals(before, Files.readAttributes(f.path(), BasicFileAttributes.class).fileKey());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(f.path()), files.toList());
        }
        assertEquals(2, MAPPER.readTree(f.path().toFile()).get("history").size());
    }

    @Test
    void aLinkPlacedAtTheTemporaryNameIsNotWrittenThrough() throws IOException {
        Path target = Files.writeString(tmp.resolve("precious"), "intact");
        Path flight = tmp.resolve("flight.json");
        Files.createSymbolicLink(tmp.resolve(".flight.json.7.tmp"), target);
        FlightFile f = new FlightFile(flight, 7, T0, 10, IsolatedWriter.inline());

        tick(f, 0, Level.OK);

        assertEquals("intact", Files.readString(target));
        assertEquals("flight", MAPPER.readTree(flight.toFile()).get("event").asText());
    }

    @Test
    void markEndedKeepsTheLastStateAndIgnoresLaterTicks() throws IOException {
        FlightFile f = new FlightFile(tmp.resolve("flight.json"), 1, T0, 10, () -> T0 + 5_000, IsolatedWriter.inline());
        tick(f, 0, Level.CRITICAL);

        assertNull(f.markEnded("exit"));
        tick(f, 1, Level.OK);

        JsonNode n = MAPPER.readTree(f.path().toFile());
        assertTrue(n.get("ended").asBoolean());
        assertEquals("exit", n.get("endReason").asText());
        assertEquals("2024-05-01T10:15:05Z", n.get("time").asText());
        assertEquals("CRITICAL", n.get("level").asText());
        assertEquals(1, n.get("history").size());
    }

    @Test
    void aFileEndedBeforeAnyTickHasNoState() throws IOException {
        FlightFile f = new FlightFile(tmp.resolve("sub/flight.json"), 1, T0, 10, () -> T0, IsolatedWriter.inline());

        assertNull(f.markEnded("exit"));

        JsonNode n = MAPPER.readTree(f.path().toFile());
        assertTrue(n.get("ended").asBoolean());
        assertFalse(n.has("workingSetBytes"));
        assertEquals(0, n.get("history").size());
    }

    @Test
    void theDefaultPathIsInTheEvidenceDirectory() {
        assertEquals(tmp.resolve("headroom-flight.json"), FlightFile.defaultPath(tmp));
    }

    /**
     * The file's thread is held (a rewrite stuck in a hung file system): ticks and the exit's mark
     * hand over at once, and when the thread is let go it writes the newest content only.
     */
    @Test
    void aRewriteThatBlocksHoldsNeitherTheTickNorTheEndAndTheNewestContentIsWritten() throws Exception {
        IsolatedWriter writer = FlightFile.writer();
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        writer.offer(() -> {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        });
        assertTrue(held.await(10, java.util.concurrent.TimeUnit.SECONDS));
        Path path = tmp.resolve("flight.json");
        FlightFile f = new FlightFile(path, 1, T0, 10, () -> T0 + 60_000, writer);
        try {
            long start = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                tick(f, i, Level.CRITICAL);
            }
            assertNull(f.markEnded("exit"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "200 ticks and the end took " + millis + " ms");
            assertFalse(Files.exists(path), "nothing written while the thread is held");
            assertTrue(writer.stuckFirstTime(0), "the watchdog sees the held write");
        } finally {
            release.countDown();
        }
        assertTrue(writer.close(System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10)));
        JsonNode n = MAPPER.readTree(path.toFile());
        assertTrue(n.get("ended").asBoolean());
        assertEquals(10, n.get("history").size());
        assertEquals(T0 + 199_000L, n.get("history").get(9).get("t").asLong());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
    }
}
