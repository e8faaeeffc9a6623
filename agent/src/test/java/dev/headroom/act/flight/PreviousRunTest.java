package dev.headroom.act.flight;

import dev.headroom.io.IsolatedWriter;
import dev.headroom.act.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static dev.headroom.act.flight.FlightFileTest.LIMIT;
import static dev.headroom.act.flight.FlightFileTest.MIB;
import static dev.headroom.act.flight.FlightFileTest.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PreviousRunTest {

    @TempDir
    Path tmp;

    private Path flightOf(long pid, long start, boolean ended) {
        FlightFile f = new FlightFile(tmp.resolve("flight.json"), pid, start, 10, () -> T0 + 9_000, IsolatedWriter.inline());
        f.update(FlightFileTest.snapshot(T0, 973 * MIB), FlightFileTest.breakdown(T0, 873 * MIB, 100 * MIB),
                FlightFileTest.forecast(T0, 973 * MIB), Level.CRITICAL);
        if (ended) {
            f.markEnded("exit");
        }
        return f.path();
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("/bin/true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void aFileLeftUnendedByAProcessThatIsGoneEndedAbruptly() throws Exception {
        PreviousRun r = PreviousRun.read(flightOf(deadPid(), T0 - 60_000, false));

        assertTrue(r.found());
        assertTrue(r.endedAbruptly());
        assertNull(r.reason());
        assertEquals(Instant.ofEpochMilli(T0), r.lastTime());
        assertEquals(973 * MIB, r.lastWorkingSetBytes());
        assertEquals(LIMIT, r.lastLimitBytes());
        assertEquals("CRITICAL", r.lastLevel());
        assertEquals(973.0 * 100 / 1024, r.percentOfLimit(), 1e-9);
        assertEquals(42.5, r.secondsToLimit());
    }

    @Test
    void aCleanlyEndedRunDidNotEndAbruptly() throws Exception {
        PreviousRun r = PreviousRun.read(flightOf(deadPid(), T0 - 60_000, true));

        assertTrue(r.found());
        assertFalse(r.endedAbruptly());
    }

    @Test
    void aRunStillGoingIsNotOver() {
        long start = System.currentTimeMillis();
        PreviousRun r = PreviousRun.read(flightOf(ProcessHandle.current().pid(), start, false));

        assertFalse(r.endedAbruptly());
    }

    @Test
    void aPreviousContainerWithOurPidEndedAbruptly() {
        // Pid 1 again after a restart: the file's run started long before this process did.
        long startedBeforeUs = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli() - 60_000;

        PreviousRun r = PreviousRun.read(flightOf(ProcessHandle.current().pid(), startedBeforeUs, false));

        assertTrue(r.endedAbruptly());
    }

    @Test
    void aMalformedFileGivesAReason() throws IOException {
        Path f = Files.writeString(tmp.resolve("flight.json"), "{\"time\": \"2024-05-01T10:15:00Z\", \"event\": \"fli");

        PreviousRun r = PreviousRun.read(f);

        assertTrue(r.found());
        assertFalse(r.endedAbruptly());
        assertTrue(r.reason().startsWith("malformed flight file"), r.reason());
    }

    @Test
    void aJsonFileThatIsNoFlightFileGivesAReason() throws IOException {
        Path f = Files.writeString(tmp.resolve("flight.json"), "{\"event\": \"snapshot\", \"pid\": 3}");

        PreviousRun r = PreviousRun.read(f);

        assertFalse(r.endedAbruptly());
        assertTrue(r.reason().startsWith("malformed flight file"), r.reason());
    }

    @Test
    void noFileIsNotFound() {
        PreviousRun r = PreviousRun.read(tmp.resolve("none.json"));

        assertFalse(r.found());
        assertTrue(r.reason().startsWith("no flight file"), r.reason());
    }

    @Test
    void negativeSizesInAFlightFileAreUnknownNotNegative() throws Exception {
        // Found by PreviousRunFuzzTest: "workingSetBytes": -9223372036854775808 came back as the last working set.
        Path f = Files.writeString(tmp.resolve("flight.json"), "{\"event\": \"flight\", \"pid\": 3, \"ended\": true,"
                + " \"workingSetBytes\": -9223372036854775808, \"limitBytes\": -5}");

        PreviousRun r = PreviousRun.read(f, (pid, start) -> false);

        assertNull(r.reason());
        assertEquals(-1, r.lastWorkingSetBytes());
        assertEquals(-1, r.lastLimitBytes());
        assertTrue(Double.isNaN(r.percentOfLimit()));
    }
}
