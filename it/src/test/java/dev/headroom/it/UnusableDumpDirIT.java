package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dump directory that cannot be used (issue 15, item 5): said at start with its reason; at
 * critical no "writing a heap dump" before "skipped"; the histogram and the flight file go to a
 * private directory of our own instead, never into the refused one. And with no options at all,
 * the start line says where evidence and the flight file go (item 6).
 */
class UnusableDumpDirIT {

    /** Critical at once: the whole cgroup's working set is more than 2 % of 1 GiB on any machine that runs a build. */
    // A max heap larger than the limit: the share alarms count only when the parts' ceilings do not
    // fit the limit (a heap growing into its own max is no kill, issue 11), and these tests need the
    // critical level at once from an idle JVM.
    // Hence -Xmx2g beside limit=1g where the critical level is wanted.
    private static final String CRITICAL_AT_ONCE = "limit=1g,warnShare=0.01,criticalShare=0.02,interval=100ms,dumpSpeed=100g";

    @TempDir
    Path work;

    @Test
    void aReadOnlyDumpDirIsSaidAtStartAndTheHistogramAndFlightFileGoToAPrivateDirectoryOfOurs() throws Exception {
        Path ro = Files.createDirectory(work.resolve("ro"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Prerequisites.require(Mounts.available(work), "the right to mount file systems (root)", "run the tests as root");
        Path tmp = Files.createDirectory(work.resolve("tmp"));
        Path log = work.resolve("events.jsonl");
        try (Mounts mounts = new Mounts()) {
            mounts.readOnly(ro);
            try (AgentJvm app = AgentJvm.start(work.resolve("app"), null, List.of(AgentJvm.agentOption("eventLog=" + log
                            + ",dumpDir=" + ro + "," + CRITICAL_AT_ONCE), "-Xmx2g", "-Djava.io.tmpdir=" + tmp),
                    "dev.headroom.samples.Idle", "5")) {
                List<JsonNode> events = new EventLogFile(log).awaitEvents(e -> EventLogFile.count(e, "histogram") >= 1
                        && EventLogFile.count(e, "heapDumpSkipped") >= 1, Duration.ofSeconds(30), app.process);
                assertEquals(0, app.waitFor(60));
                assertTrue(app.stdoutText().contains("idle done"));

                Path ours = tmp.resolve("headroom-0");
                List<String> lines = FaultCgroupIT.agentLines(app);
                assertTrue(lines.get(0).endsWith("; no heap dumps (see below), histograms to " + ours
                        + ", flight file " + ours.resolve("headroom-flight.json")), lines.get(0));
                assertEquals(1, lines.stream().filter(l -> l.equals("headroom: dumpDir: heap dumps will not be possible: "
                        + ro + " is not writable: Read-only file system (reported once; the agent goes on)")).count(), lines.toString());
                assertEquals(1, lines.stream().filter(l -> l.equals("headroom: heap dump skipped: " + ro
                        + " is not writable: Read-only file system")).count(), lines.toString());
                assertFalse(lines.stream().anyMatch(l -> l.startsWith("headroom: writing a heap dump")), lines.toString());

                JsonNode histogram = FaultCgroupIT.last(events, "histogram");
                assertEquals("DONE", histogram.get("status").asText(), histogram.toString());
                Path file = Path.of(histogram.get("path").asText());
                assertEquals(ours, file.getParent());
                assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ours)));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                        ours.resolve("headroom-flight.json"))));
                try (var inRo = Files.list(ro)) {
                    assertEquals(0, inRo.count(), "nothing in the read-only directory");
                }
            }
        }
    }

    @Test
    void aDumpDirBelowAFileSaysNotADirectory() throws Exception {
        try (AgentJvm app = AgentJvm.start(work.resolve("app"), null,
                List.of(AgentJvm.agentOption("dumpDir=/etc/passwd/dumps,interval=100ms"), "-Xmx64m",
                        "-Djava.io.tmpdir=" + Files.createDirectory(work.resolve("tmp"))),
                "dev.headroom.samples.Idle", "5")) {
            assertEquals(0, app.waitFor(60));
            assertTrue(app.stdoutText().contains("idle done"));
            List<String> lines = FaultCgroupIT.agentLines(app);
            assertTrue(lines.contains("headroom: dumpDir: heap dumps will not be possible: /etc/passwd is not a directory"
                    + " (reported once; the agent goes on)"), lines.toString());
        }
    }

    @Test
    void withNoOptionsTheStartLineSaysWhereEvidenceAndTheFlightFileGo() throws Exception {
        Path dir = work.resolve("app");
        try (AgentJvm app = AgentJvm.start(dir, null, List.of(AgentJvm.agentOption(""), "-Xmx64m"),
                "dev.headroom.samples.Idle", "5")) {
            assertEquals(0, app.waitFor(60));
            List<String> lines = FaultCgroupIT.agentLines(app);
            // The working directory is 0755: not private, so evidence goes into a private subdirectory.
            Path evidence = dir.toAbsolutePath().resolve("headroom-dumps");
            assertTrue(lines.get(0).startsWith("headroom: watching "), lines.toString());
            assertTrue(lines.get(0).endsWith("; evidence to " + evidence + ", flight file "
                    + evidence.resolve("headroom-flight.json")), lines.get(0));
        }
    }
}
