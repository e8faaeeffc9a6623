package dev.headroom.act.flight;

import dev.headroom.io.IsolatedWriter;
import dev.headroom.act.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.headroom.act.flight.FlightFileTest.MIB;
import static dev.headroom.act.flight.FlightFileTest.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TerminationLogTest {

    @TempDir
    Path tmp;

    @Test
    void truncationBacksUpToTheStartOfACutCharacter() {
        // 4094 ASCII bytes, then "€" (3 bytes: E2 82 AC): the limit falls inside it.
        String text = "a".repeat(4094) + "€" + "tail";

        byte[] cut = TerminationLog.truncate(text, TerminationLog.MAX_BYTES);

        assertEquals(4094, cut.length);
        assertEquals("a".repeat(4094), new String(cut, StandardCharsets.UTF_8));
    }

    @Test
    void aCharacterEndingExactlyAtTheLimitIsKept() {
        String text = "a".repeat(4093) + "€" + "tail";

        byte[] cut = TerminationLog.truncate(text, TerminationLog.MAX_BYTES);

        assertEquals(4096, cut.length);
        assertTrue(new String(cut, StandardCharsets.UTF_8).endsWith("a€"));
    }

    @Test
    void shortTextIsUntouched() {
        assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8), TerminationLog.truncate("héllo", 4096));
    }

    @Test
    void writesWhenTheLevelChangesAndWhileCritical() throws IOException {
        Path file = tmp.resolve("termination-log");
        TerminationLog log = new TerminationLog(file, IsolatedWriter.inline());

        assertNull(log.update(FlightFileTest.snapshot(T0, 700 * MIB), FlightFileTest.breakdown(T0, 600 * MIB, 100 * MIB),
                FlightFileTest.forecast(T0, 700 * MIB), Level.OK, null));
        String first = Files.readString(file);
        Files.writeString(file, "untouched");
        log.update(FlightFileTest.snapshot(T0 + 1000, 701 * MIB), FlightFileTest.breakdown(T0, 601 * MIB, 100 * MIB),
                FlightFileTest.forecast(T0, 701 * MIB), Level.OK, null);
        String unchanged = Files.readString(file);
        Path dump = tmp.resolve("headroom-1-20240501T101502000Z-abcdef.hprof");
        log.update(FlightFileTest.snapshot(T0 + 2000, 990 * MIB), FlightFileTest.breakdown(T0, 890 * MIB, 100 * MIB),
                FlightFileTest.forecast(T0, 990 * MIB), Level.CRITICAL, dump);
        String critical = Files.readString(file);

        // Without a cgroup the unreclaimable memory is the working set (the process RSS).
        assertTrue(first.startsWith("headroom OK at 2024-05-01T10:15:00Z: unreclaimable memory 700.0 MiB of limit"
                + " 1.00 GiB (68.4%), headroom 324.0 MiB, working set 700.0 MiB\n"), first);
        assertEquals("untouched", unchanged);
        assertTrue(critical.startsWith("headroom CRITICAL at 2024-05-01T10:15:02Z"), critical);
        assertTrue(critical.contains("heap dump: " + dump + "\n"), critical);
        assertTrue(critical.contains("forecast: limit in 43 s (confidence 0.80), growing 2.0 MiB/s\n"), critical);
        assertTrue(critical.contains("growing: heap 700.0 MiB +2.0 MiB/s\n"), critical);
        assertTrue(critical.contains("largest: heap 890.0 MiB, metaspace 100.0 MiB\n"), critical);
    }

    @Test
    void aShorterSummaryLeavesNoTailOfTheLongerOne() throws IOException {
        Path file = Files.writeString(tmp.resolve("termination-log"), "x".repeat(5000));
        TerminationLog log = new TerminationLog(file, IsolatedWriter.inline());

        log.update(FlightFileTest.snapshot(T0, 700 * MIB), FlightFileTest.breakdown(T0, 600 * MIB, 100 * MIB), null,
                Level.WARNING, null);

        String text = Files.readString(file);
        assertTrue(text.startsWith("headroom WARNING"), text);
        assertFalse(text.contains("x"), text);
    }

    @Test
    void kubernetesIsRecognisedByItsServiceHost() {
        assertTrue(TerminationLog.inKubernetes(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1")));
        assertFalse(TerminationLog.inKubernetes(Map.of("HOME", "/root")));
    }

    @Test
    void autoWritesOnlyWhereTheKubeletMadeTheFile(@org.junit.jupiter.api.io.TempDir Path dir) throws java.io.IOException {
        Path missing = dir.resolve("termination-log");
        Map<String, String> pod = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        // KUBERNETES_SERVICE_HOST alone (copied into a CI job, a VM): nothing is created.
        org.junit.jupiter.api.Assertions.assertNull(TerminationLog.auto(pod, missing, IsolatedWriter.inline()));
        assertFalse(java.nio.file.Files.exists(missing));
        Path made = java.nio.file.Files.createFile(missing);
        org.junit.jupiter.api.Assertions.assertEquals(made, TerminationLog.auto(pod, made, IsolatedWriter.inline()).path());
        org.junit.jupiter.api.Assertions.assertNull(TerminationLog.auto(Map.of(), made, IsolatedWriter.inline()));
    }

    @Test
    void aLinkAtTheTerminationLogIsRefusedAndItsTargetUntouched(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        Path precious = java.nio.file.Files.writeString(dir.resolve("precious"), "precious\n");
        Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("termination-log"), precious);
        java.io.IOException e = new TerminationLog(link, IsolatedWriter.inline()).update(FlightFileTest.snapshot(T0, 700 * MIB),
                FlightFileTest.breakdown(T0, 600 * MIB, 100 * MIB), null, Level.WARNING, null);
        assertTrue(e != null && e.getMessage().contains("is a symbolic link"), String.valueOf(e));
        org.junit.jupiter.api.Assertions.assertEquals("precious\n", java.nio.file.Files.readString(precious));
    }

    @Test
    void onItsOwnThreadAHeldWriteHoldsNoUpdateAndTheNewestSummaryIsWritten() throws Exception {
        IsolatedWriter writer = TerminationLog.writer();
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
        Path file = tmp.resolve("termination-log");
        TerminationLog log = new TerminationLog(file, writer);
        try {
            for (int i = 0; i < 100; i++) {
                assertNull(log.update(FlightFileTest.snapshot(T0 + i * 1000L, (700 + i) * MIB),
                        FlightFileTest.breakdown(T0, 600 * MIB, 100 * MIB), null, Level.CRITICAL, null));
            }
            assertFalse(Files.exists(file));
        } finally {
            release.countDown();
        }
        assertTrue(writer.close(System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10)));
        assertTrue(Files.readString(file).startsWith("headroom CRITICAL at 2024-05-01T10:16:39Z"), Files.readString(file));
    }
}
