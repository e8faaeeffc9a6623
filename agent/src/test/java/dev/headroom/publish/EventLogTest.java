package dev.headroom.publish;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventLogTest {

    @TempDir
    Path dir;

    @Test
    void linesAreAppendedAfterWhatIsThereInA0600File() throws IOException {
        Path file = dir.resolve("events.jsonl");
        try (EventLog log = EventLog.open(file)) {
            assertNull(log.write(0, "start", json -> json.writeNumberField("n", 1)));
        }
        try (EventLog log = EventLog.open(file)) {
            assertNull(log.write(1000, "stop", json -> json.writeStringField("reason", "exit")));
        }
        assertEquals(List.of("{\"time\":\"1970-01-01T00:00:00Z\",\"event\":\"start\",\"n\":1}",
                "{\"time\":\"1970-01-01T00:00:01Z\",\"event\":\"stop\",\"reason\":\"exit\"}"), Files.readAllLines(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void twoLogsOnOneFileInAPrivateDirectoryKeepEachOthersLines() throws IOException {
        Path file = dir.resolve("events.jsonl");
        EventLog first = EventLog.open(file);
        EventLog second = EventLog.open(file);
        for (int i = 0; i < 3; i++) {
            int n = i;
            first.write(i, "snapshot", json -> json.writeNumberField("from", 1 + 10 * n));
            second.write(i, "snapshot", json -> json.writeNumberField("from", 2 + 10 * n));
        }
        assertTrue(first.close(5_000));
        assertTrue(second.close(5_000));
        List<String> lines = Files.readAllLines(file);
        assertEquals(6, lines.size(), lines.toString());
        assertTrue(lines.stream().allMatch(l -> l.startsWith("{\"time\":") && l.endsWith("}")), lines.toString());
    }

    /**
     * A FIFO whose reader never reads: the pipe fills, the log's thread blocks in write, and
     * neither the writers nor the close wait for it beyond the bound.
     */
    @Test
    void aWriteThatBlocksHoldsNeitherTheCallerNorTheClose() throws Exception {
        Path fifo = dir.resolve("events.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // The test is the reader that never reads (read-write: open(2) does not wait, fifo(7)).
        try (FileChannel stalledReader = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // Ours, in a directory nobody else can write: taken (a pipe to a collector).
            EventLog log = EventLog.open(fifo);
            String padding = "x".repeat(2000);
            long start = System.nanoTime();
            for (int i = 0; i < 2 * EventLog.QUEUE_LINES; i++) {
                log.write(i, "snapshot", json -> json.writeStringField("padding", padding));
            }
            long writingMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(log.dropped() > 0, "the queue filled behind the blocked write");
            long stuckSince = System.nanoTime();
            while (log.stuckMillis() < 100) {
                assertTrue(System.nanoTime() - stuckSince < 10_000_000_000L, "the log's thread never blocked");
                Thread.sleep(10);
            }
            long closeStart = System.nanoTime();
            assertFalse(log.close(200), "not everything could be written");
            long closeMillis = (System.nanoTime() - closeStart) / 1_000_000;
            assertTrue(closeMillis < 1_000, "close waited " + closeMillis + " ms");
            assertTrue(writingMillis < 5_000, "writing the events took " + writingMillis + " ms");
        }
    }

    @Test
    void aFifoInADirectoryOthersCanWriteIsRefused() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path fifo = shared.resolve("events.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> EventLog.open(fifo));
        assertTrue(e.getMessage().contains("is a FIFO, not a regular file"), e.getMessage());
    }

    /** Writes 50 events to the log named by its argument, beside 50 lines of its own on stdout. */
    public static final class StandardStreamMain {
        public static void main(String[] args) throws Exception {
            EventLog log = EventLog.open(Path.of(args[0]));
            for (int i = 0; i < 50; i++) {
                int n = i;
                log.write(i, "snapshot", json -> json.writeNumberField("n", n));
                System.out.println("app line " + i);
            }
            boolean closed = log.close(5_000);
            // The descriptor is the process's: still open after the log closed.
            System.out.println("closed " + closed);
        }
    }

    private ChildJvm.Result standardStreamChild(String name) throws Exception {
        return ChildJvm.run(dir, List.of(ChildJvm.java(), "-Xmx32m", "-cp",
                ChildJvm.classPath(entry -> true), StandardStreamMain.class.getName(), name), 60);
    }

    private static List<Long> eventNumbers(String text) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<Long> numbers = new java.util.ArrayList<>();
        for (String l : text.lines().filter(l -> l.startsWith("{")).toList()) {
            // Each event a whole line of its own: it parses.
            numbers.add(json.readTree(l).get("n").asLong());
        }
        return numbers;
    }

    @Test
    void devStdoutIsTheProcessesOwnStandardOutputWrittenOneWholeLineAtATime() throws Exception {
        for (String name : List.of(EventLog.STDOUT, "-")) {
            ChildJvm.Result r = standardStreamChild(name);
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals(java.util.stream.LongStream.range(0, 50).boxed().toList(), eventNumbers(r.stdout()), r.stdout());
            List<String> lines = r.stdout().lines().toList();
            assertEquals(101, lines.size(), r.stdout());
            assertTrue(lines.stream().allMatch(l -> l.startsWith("{\"time\":") || l.matches("app line \\d+|closed true")),
                    r.stdout());
            assertEquals("closed true", lines.get(lines.size() - 1));
        }
    }

    @Test
    void devStderrIsTheProcessesOwnStandardError() throws Exception {
        ChildJvm.Result r = standardStreamChild(EventLog.STDERR);
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(java.util.stream.LongStream.range(0, 50).boxed().toList(), eventNumbers(r.stderr()), r.stderr());
        assertEquals(List.of(), eventNumbers(r.stdout()));
    }

    @Test
    void onlyTheExactNamesAreStreamsAnotherPathToTheLinkIsRefused() {
        // /dev/./stdout is the same link (to /proc/self/fd/1) by another name: the guard sees a link.
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> EventLog.open(Path.of("/dev/./stdout")));
        assertTrue(e.getMessage().contains("is a symbolic link"), e.getMessage());
        assertNull(EventLog.standardStream(dir.resolve("stdout")));
    }
}
