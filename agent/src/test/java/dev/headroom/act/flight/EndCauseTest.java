package dev.headroom.act.flight;

import dev.headroom.io.IsolatedWriter;
import dev.headroom.act.Level;
import dev.headroom.sense.cgroup.OomKillCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.headroom.act.flight.FlightFileTest.MIB;
import static dev.headroom.act.flight.FlightFileTest.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Telling an OOM kill from another SIGKILL at the next start, on the counter file of a real 6.1 kernel
 * (memory.events of a container cgroup after its OOM kill, copied from the v2 guest of CgroupV2IT).
 */
class EndCauseTest {

    @TempDir
    Path tmp;

    /** A cgroup directory holding the guest's real memory.events (oom_kill 3), rewritable by the test. */
    private Path cgroupWithGuestEvents() throws IOException, URISyntaxException {
        Path dir = Files.createDirectories(tmp.resolve("pod.slice"));
        Path real = Path.of(getClass().getResource("/cgroup/v2-guest-6.1/oom/memory.events").toURI());
        Files.copy(real, dir.resolve("memory.events"));
        return dir;
    }

    private PreviousRun previous(OomKillCounter counter, boolean ended) throws Exception {
        Process gone = new ProcessBuilder("/bin/true").start();
        gone.waitFor();
        FlightFile f = new FlightFile(tmp.resolve("flight.json"), gone.pid(), T0 - 60_000, 10, () -> T0 + 9_000, IsolatedWriter.inline());
        f.oomKills(counter.file().toString(), counter.cgroupId(), counter.read());
        f.update(FlightFileTest.snapshot(T0, 973 * MIB), FlightFileTest.breakdown(T0, 873 * MIB, 100 * MIB),
                FlightFileTest.forecast(T0, 973 * MIB), Level.CRITICAL);
        if (ended) {
            f.markEnded("exit");
        }
        return PreviousRun.read(f.path());
    }

    private static EndCause now(PreviousRun previous, OomKillCounter counter) {
        return EndCause.of(previous, counter.file().toString(), counter.cgroupId(), counter.read());
    }

    @Test
    void theFlightFileCarriesTheCountItsRunLastSaw() throws Exception {
        Path dir = cgroupWithGuestEvents();
        PreviousRun previous = previous(new OomKillCounter(dir.resolve("memory.events"), OomKillCounter.inode(dir)), false);
        assertEquals(3, previous.oomKills(), "oom_kill of the guest's memory.events");
        assertEquals(dir.resolve("memory.events").toString(), previous.oomKillFile());
        assertEquals(OomKillCounter.inode(dir), previous.oomKillCgroupId());
    }

    @Test
    void aCountThatRoseSinceTheLastWriteMeansTheRunWasOomKilled() throws Exception {
        Path dir = cgroupWithGuestEvents();
        OomKillCounter counter = new OomKillCounter(dir.resolve("memory.events"), OomKillCounter.inode(dir));
        PreviousRun previous = previous(counter, false);
        Files.writeString(dir.resolve("memory.events"),
                Files.readString(dir.resolve("memory.events")).replace("oom_kill 3", "oom_kill 4"));
        assertEquals(EndCause.OOM_KILL, now(previous, counter));
    }

    @Test
    void aCountThatStayedMeansAnotherSigkill() throws Exception {
        Path dir = cgroupWithGuestEvents();
        OomKillCounter counter = new OomKillCounter(dir.resolve("memory.events"), OomKillCounter.inode(dir));
        assertEquals(EndCause.OTHER_KILL, now(previous(counter, false), counter));
    }

    @Test
    void aNewCgroupAtTheSamePathCannotTell() throws Exception {
        Path dir = cgroupWithGuestEvents();
        OomKillCounter counter = new OomKillCounter(dir.resolve("memory.events"), OomKillCounter.inode(dir));
        PreviousRun previous = previous(counter, false);
        // The container's cgroup removed and made again (counters from zero, a new inode).
        Path moved = Files.move(dir, tmp.resolve("old"));
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
        OomKillCounter fresh = new OomKillCounter(dir.resolve("memory.events"), OomKillCounter.inode(dir));
        assertEquals(EndCause.UNKNOWN, now(previous, fresh), "moved away: " + moved);
    }

    @Test
    void aCleanExitIsAnExitWhateverTheCount() throws Exception {
        Path dir = cgroupWithGuestEvents();
        OomKillCounter counter = new OomKillCounter(dir.resolve("memory.events"), OomKillCounter.inode(dir));
        assertEquals(EndCause.EXIT, now(previous(counter, true), counter));
    }

    @Test
    void aFlightFileWithoutACountCannotTell() throws Exception {
        Path dir = cgroupWithGuestEvents();
        OomKillCounter counter = new OomKillCounter(dir.resolve("memory.events"), OomKillCounter.inode(dir));
        PreviousRun previous = PreviousRun.read(writeOldFlightFile());
        assertEquals(EndCause.UNKNOWN, now(previous, counter));
    }

    /** A flight file written before the count was recorded. */
    private Path writeOldFlightFile() throws Exception {
        Process gone = new ProcessBuilder("/bin/true").start();
        gone.waitFor();
        Path f = tmp.resolve("old-flight.json");
        Files.writeString(f, "{\"time\":\"2026-01-01T00:00:00Z\",\"event\":\"flight\",\"pid\":" + gone.pid()
                + ",\"startTime\":\"2026-01-01T00:00:00Z\",\"ended\":false,\"history\":[]}\n");
        return f;
    }

    @Test
    void v1ReadsOomKillFromMemoryOomControl() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("v1"));
        // The layout of this host's kernel (v1): oom_kill_disable, under_oom, oom_kill.
        Files.writeString(dir.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        assertEquals(2, new OomKillCounter(dir.resolve("memory.oom_control"), OomKillCounter.inode(dir)).read());
    }
}
