package dev.headroom.sense.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NmtReaderTest {

    /** Surefire's JVM runs without -XX:NativeMemoryTracking: off is a normal state, not a failure. */
    @Test
    void reportsTrackingOffInThisJvmWithoutAProblem() {
        NmtReader reader = new NmtReader();

        assertFalse(reader.enabled());
        assertNull(reader.read());
        assertNull(reader.lastProblem());
    }

    @Test
    void thisJvmSaysNotEnabledThroughTheDiagnosticCommand() throws Exception {
        String text = new NmtReader().summaryText();

        assertTrue(text.contains("Native memory tracking is not enabled"), text);
        assertNull(NmtParser.parse(text));
    }

    @Test
    void readsTheSummaryInAJvmWithTrackingOn() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(
                System.getProperty("java.home") + "/bin/java");
        Process child = new ProcessBuilder(java, "-XX:NativeMemoryTracking=summary", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), NmtChild.class.getName())
                .redirectErrorStream(true)
                .start();
        child.getOutputStream().close();
        List<String> lines = readLines(child);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM did not end");

        assertEquals(0, child.exitValue(), () -> String.join("\n", lines));
        assertTrue(lines.contains("enabled=true"), () -> String.join("\n", lines));
        assertTrue(lines.contains("nmtMode=summary"), () -> String.join("\n", lines));
        assertTrue(lines.contains("problem=null"), () -> String.join("\n", lines));
        long heapCommitted = -1;
        for (String line : lines) {
            if (line.startsWith("category=Java Heap|")) {
                heapCommitted = Long.parseLong(line.substring(line.lastIndexOf('|') + 1));
            }
        }
        long committed = heapCommitted;
        assertTrue(committed > 0, () -> "Java Heap committed " + committed + " in\n" + String.join("\n", lines));
    }

    // Reads until the child closes its output, i.e. until it exits; bounded by the child's own run.
    private static List<String> readLines(Process child) throws IOException {
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new ArrayList<>(out.lines().toList());
    }
}
