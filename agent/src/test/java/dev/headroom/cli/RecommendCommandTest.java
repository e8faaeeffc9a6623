package dev.headroom.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecommendCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static String recorded(String name) throws Exception {
        return Path.of(RecommendCommandTest.class.getResource("/sizing/" + name).toURI()).toString();
    }

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void printsTheLimitTheFlagsWithTheirEvidenceAndAKubernetesSnippet() throws Exception {
        assertEquals(0, run("recommend", recorded("native-growth.jsonl")), err.toString());
        String text = out.toString(StandardCharsets.UTF_8);

        assertTrue(text.startsWith("Recommendation from 1 run ("), text);
        assertTrue(text.contains("\n  memory limit "), text);
        assertTrue(text.contains("\n  -Xmx128m\n      the max heap the run had (128 MiB)"), text);
        assertTrue(text.contains("\n  -XX:MaxDirectMemorySize="), text);
        assertTrue(text.contains("\n  -XX:MaxRAMPercentage="), text);
        assertTrue(text.contains("\n  MALLOC_ARENA_MAX=2\n      native memory the JVM does not track peaked at "), text);
        assertTrue(text.contains("resources:\n  requests:\n    memory: \""), text);
        assertTrue(text.contains("  - name: JAVA_TOOL_OPTIONS\n    value: \"-Xmx128m -XX:MaxDirectMemorySize="), text);
        assertTrue(text.contains("  - name: MALLOC_ARENA_MAX\n    value: \"2\""), text);
    }

    @Test
    void severalFilesMakeOneRecommendation() throws Exception {
        assertEquals(0, run("recommend", recorded("gc-sawtooth.jsonl"), recorded("gc-sawtooth-nmt.jsonl"),
                "--margin", "0.25"), err.toString());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("Recommendation from 2 runs ("), text);
        assertTrue(text.contains("with a 25 % margin"), text);
    }

    @Test
    void badInputIsSaidPlainly() throws Exception {
        assertEquals(2, run("recommend"));
        assertEquals(2, run("recommend", recorded("gc-sawtooth.jsonl"), "--margin", "2"));
        assertEquals(2, run("recommend", "--frobnicate"));
        assertEquals(1, run("recommend", "/nonexistent/events.jsonl"));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains("usage: recommend"), e);
        assertTrue(e.contains("no such file: /nonexistent/events.jsonl"), e);
    }
}
