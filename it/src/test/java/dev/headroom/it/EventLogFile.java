package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Reads the agent's JSON Lines event log, as any user's tool would. */
final class EventLogFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;

    EventLogFile(Path path) {
        this.path = path;
    }

    /** Every complete line parsed; a line still being written (no newline yet) is left for later. */
    List<JsonNode> events() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(path)) {
            return out;
        }
        String text = Files.readString(path);
        int end = text.lastIndexOf('\n');
        if (end < 0) {
            return out;
        }
        for (String line : text.substring(0, end).split("\n")) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    List<JsonNode> events(String name) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : events()) {
            if (name.equals(e.path("event").asText())) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Waits until the log holds events that satisfy the condition (or the process ended, or time
     * ran out): a wait for a condition the test names, polled on the file, not a fixed sleep.
     */
    List<JsonNode> awaitEvents(Predicate<List<JsonNode>> condition, Duration timeout, Process process)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<JsonNode> events = events();
            if (condition.test(events)) {
                return events;
            }
            boolean ended = process != null && !process.isAlive();
            if (ended && condition.test(events())) {
                // The last lines landed between our read and the process's exit.
                return events();
            }
            if (System.nanoTime() > deadline || ended) {
                throw new AssertionError("the event log " + path + " never met the condition; it holds:\n"
                        + (Files.exists(path) ? Files.readString(path) : "(no file)"));
            }
            Thread.sleep(50);
        }
    }

    static long count(List<JsonNode> events, String name) {
        long n = 0;
        for (JsonNode e : events) {
            if (name.equals(e.path("event").asText())) {
                n++;
            }
        }
        return n;
    }
}
