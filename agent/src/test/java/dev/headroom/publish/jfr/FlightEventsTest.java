package dev.headroom.publish.jfr;

import dev.headroom.act.Level;
import dev.headroom.publish.ChildJvm;
import dev.headroom.publish.ReadingFixture;
import jdk.jfr.DataAmount;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlightEventsTest {

    private static final long MIB = ReadingFixture.MIB;

    @TempDir
    Path dir;

    private final FlightEvents events = new FlightEvents();

    private List<RecordedEvent> record(Runnable emit) throws Exception {
        Path file = dir.resolve("headroom.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.headroom.Snapshot");
            recording.enable("dev.headroom.Warning");
            recording.enable("dev.headroom.HeapDump");
            recording.start();
            emit.run();
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> out = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().startsWith("dev.headroom.")) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void withoutARecordingNothingIsCommitted() {
        assertFalse(events.snapshot(ReadingFixture.reading(900, Level.WARNING, 1)));
        assertFalse(events.warning(ReadingFixture.reading(900, Level.WARNING, 1), "forecast"));
        assertFalse(events.heapDump("/x.hprof", 1, Duration.ofSeconds(1), true));
    }

    @Test
    void snapshotEventCarriesTheReadingInBytesAndSeconds() throws Exception {
        List<RecordedEvent> recorded = record(() -> assertTrue(events.snapshot(ReadingFixture.reading(900, Level.WARNING, 1))));
        assertEquals(1, recorded.size());
        RecordedEvent e = recorded.get(0);
        assertEquals("dev.headroom.Snapshot", e.getEventType().getName());
        assertEquals(List.of("Headroom"), e.getEventType().getCategoryNames());
        assertEquals(320 * MIB, e.getLong("workingSet"));
        assertEquals(512 * MIB, e.getLong("limit"));
        assertEquals(298 * MIB, e.getLong("unreclaimable"), "usage less the file lists and reclaimable slab");
        assertEquals((512 - 298) * MIB, e.getLong("headroom"));
        assertEquals(360 * MIB, e.getLong("usage"));
        assertEquals(Duration.ofSeconds(900), e.getDuration("secondsToLimit"));
        assertEquals("WARNING", e.getString("level"));
        assertEquals(150 * MIB, e.getLong("heapUsed"));
        assertEquals(200 * MIB, e.getLong("heapCommitted"));
        assertEquals(260 * MIB, e.getLong("jvm"));
        assertEquals(40 * MIB, e.getLong("nativeMemory"));
        assertEquals(40 * MIB, e.getLong("nativeUntracked"));
        assertEquals(20 * MIB, e.getLong("pageCache"));
        assertEquals(0, e.getLong("kernel"));
        assertEquals(1, e.getInt("cgroupVersion"));
        assertEquals(1, e.getInt("dumpsTaken"));
        assertEquals(1.5 * MIB, e.getDouble("growthRate"));
        assertEquals("heap=209715200, metaspace=62914560, nativeUntracked=41943040, activePageCache=20971520",
                e.getString("parts"));
        assertEquals(DataAmount.BYTES, e.getEventType().getField("workingSet").getAnnotation(DataAmount.class).value());
        assertNull(e.getStackTrace(), "no stack trace: the agent's thread says nothing");
    }

    @Test
    void warningAndHeapDumpEvents() throws Exception {
        List<RecordedEvent> recorded = record(() -> {
            events.warning(ReadingFixture.reading(Double.NaN, Level.CRITICAL, 0), "working set above 95% of the limit");
            events.heapDump("/evidence/heap-1.hprof", 123 * MIB, Duration.ofMillis(2500), true);
        });
        assertEquals(2, recorded.size());
        RecordedEvent warning = recorded.get(0);
        assertEquals("dev.headroom.Warning", warning.getEventType().getName());
        assertEquals("CRITICAL", warning.getString("level"));
        assertEquals("working set above 95% of the limit", warning.getString("reasons"));
        assertEquals(Long.MIN_VALUE, warning.getLong("secondsToLimit"), "nothing forecast: JFR's N/A");
        assertEquals(320 * MIB, warning.getLong("workingSet"));
        RecordedEvent dump = recorded.get(1);
        assertEquals("dev.headroom.HeapDump", dump.getEventType().getName());
        assertEquals("/evidence/heap-1.hprof", dump.getString("path"));
        assertEquals(123 * MIB, dump.getLong("bytes"));
        assertEquals(Duration.ofMillis(2500), dump.getDuration("writeDuration"));
        assertTrue(dump.getBoolean("live"));
    }

    @Test
    void theJdksJfrToolPrintsTheSnapshot() throws Exception {
        Path file = dir.resolve("print.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.headroom.Snapshot");
            recording.start();
            events.snapshot(ReadingFixture.reading(900, Level.WARNING, 1));
            recording.stop();
            recording.dump(file);
        }
        Path jfr = Path.of(System.getProperty("java.home"), "bin", "jfr");
        ChildJvm.Result r = ChildJvm.run(dir, List.of(jfr.toString(), "print", "--events", "dev.headroom.Snapshot",
                file.toString()), 60);
        assertEquals(0, r.exitCode(), r.stderr());
        String out = r.stdout();
        assertTrue(out.contains("dev.headroom.Snapshot {"), out);
        assertTrue(out.contains("workingSet = 320.0 MB"), out);
        assertTrue(out.contains("limit = 512.0 MB"), out);
        assertTrue(out.contains("secondsToLimit = 15 m"), out);
        assertTrue(out.contains("level = \"WARNING\""), out);
    }
}
