package dev.headroom.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportCommandTest {

    @TempDir
    Path work;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return ReportCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static Path fixture(String name) throws Exception {
        return Path.of(ReportCommandTest.class.getResource("/report/" + name).toURI());
    }

    @Test
    void writesThePageWhereDashOSays() throws Exception {
        Path page = work.resolve("sub/out.html");
        assertEquals(0, run(fixture("oom-run.jsonl").toString(), "-o", page.toString()), err.toString());
        String html = Files.readString(page);
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("id=\"series-heap\""));
        String said = out.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("wrote " + page + ": OOM-killed at "), said);
        assertTrue(said.contains("1 malformed lines skipped"), said);
    }

    @Test
    void missingFileIsOneClearLineAndExitCodeOne() {
        assertEquals(1, run(work.resolve("nope.jsonl").toString(), "-o", work.resolve("x.html").toString()));
        assertEquals("headroom: report: no such file: " + work.resolve("nope.jsonl") + "\n",
                err.toString(StandardCharsets.UTF_8).replace("\r", ""));
        assertTrue(!Files.exists(work.resolve("x.html")));
    }

    @Test
    void usageErrorsExitWithTwo() throws Exception {
        assertEquals(2, run());
        assertEquals(2, run(fixture("oom-run.jsonl").toString(), "--frobnicate"));
        assertEquals(2, run(fixture("oom-run.jsonl").toString(), "-o"));
        assertEquals(2, run(fixture("oom-run.jsonl").toString(), "--run", "0"));
        assertEquals(2, run(fixture("oom-run.jsonl").toString(), "--run", "3", "-o", work.resolve("r.html").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: report"));
    }

    @Test
    void fileWithNothingReadableIsRefused() throws Exception {
        Path junk = work.resolve("junk.txt");
        Files.writeString(junk, "not json\nnor this\n");
        assertEquals(1, run(junk.toString(), "-o", work.resolve("j.html").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no readable events (2 lines skipped)"));
    }
}
