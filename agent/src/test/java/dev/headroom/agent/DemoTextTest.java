package dev.headroom.agent;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the demo tells a newcomer, read against what it runs (issue 15, item 9): the rate it names
 * is the one it passes to the sample, every place that names it says the same and says it is of
 * objects retained, and Maven's coloured console output never reaches the demo's own output.
 */
class DemoTextTest {

    private static final Path DEMO = Path.of("..", "demo", "run");
    private static final Path README = Path.of("..", "README.md");

    @Test
    void theRateTheDemoNamesIsTheRateItPassesToTheSampleEverywhere() throws Exception {
        String demo = Files.readString(DEMO);
        Matcher run = Pattern.compile("dev\\.headroom\\.samples\\.HeapGrowth (\\d+) ").matcher(demo);
        assertTrue(run.find(), "demo/run runs HeapGrowth with a rate");
        String rate = run.group(1);
        Pattern named = Pattern.compile("retains (\\d+) MiB/s of (new )?objects");
        for (String text : List.of(demo, Files.readString(README))) {
            Matcher m = named.matcher(text);
            int seen = 0;
            while (m.find()) {
                assertEquals(rate, m.group(1), "a rate named beside the one the demo runs: " + m.group());
                seen++;
            }
            assertTrue(seen > 0, "the rate is named as objects retained");
            assertFalse(Pattern.compile("leaks \\d+ MiB/s").matcher(text).find(),
                    "no 'leaks N MiB/s': the agent's rates are of memory, which runs faster while the heap expands");
        }
        // Why the agent's figures run above it: said where the newcomer reads it.
        assertTrue(Files.readString(README).contains("G1 commits and touches"), "README explains the faster rates");
    }

    @Test
    void mavensOutputGoesToAFileNotIntoTheDemosOutput() throws Exception {
        // Maven 3.8 prints ESC[0m even with -B -q; the demo's own lines must carry none of them.
        for (String line : Files.readAllLines(DEMO)) {
            String code = line.strip();
            if (code.startsWith("#") || !code.matches(".*\\bmvn\\b.*") || code.startsWith("echo")) {
                continue;
            }
            assertTrue(code.matches(".*>\\s*\"?\\$out/build\\.log\"?\\s+2>&1.*"),
                    "a Maven call whose output is not sent to build.log: " + code);
        }
    }
}
