package dev.headroom.act;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReliefTest {

    private static final HotSpotDiagnosticMXBean HOTSPOT =
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

    @TempDir
    Path tmp;

    private static final DiagnosticCommands NONE = new DiagnosticCommands() {
        @Override
        public boolean has(String operation) {
            return false;
        }

        @Override
        public String run(String operation, String... arguments) {
            throw new AssertionError("not offered: " + operation);
        }
    };

    @Test
    void trimsTheNativeHeapWhereTheJdkOffersIt() {
        DiagnosticCommands real = DiagnosticCommands.platform();
        Relief relief = new Relief(Relief.rssFrom(Path.of("/proc")));

        ReliefResult r = relief.trimNativeHeap();

        assertEquals(Relief.TRIM_NATIVE_HEAP, r.action());
        if (real.has("systemTrimNativeHeap") || real.has("vmTrimNativeHeap")) {
            assertTrue(r.done(), r.detail());
            assertTrue(r.rssBeforeBytes() > 0 && r.rssAfterBytes() > 0);
        } else {
            assertFalse(r.done());
        }
    }

    @Test
    void saysWhenTheJdkHasNoTrimCommand() {
        Relief relief = new Relief(() -> 1, NONE, HOTSPOT, () -> { });

        ReliefResult r = relief.trimNativeHeap();

        assertFalse(r.done());
        assertTrue(r.detail().startsWith("not available on this JDK"), r.detail());
    }

    @Test
    void requestsAGcAndMeasuresRssAroundIt() {
        AtomicInteger gcs = new AtomicInteger();
        long[] rss = {300, 200};
        AtomicInteger reads = new AtomicInteger();
        Relief relief = new Relief(() -> rss[reads.getAndIncrement()], NONE, HOTSPOT, gcs::incrementAndGet);

        ReliefResult r = relief.requestGc();

        assertTrue(r.done(), r.detail());
        assertEquals(1, gcs.get());
        assertEquals(300, r.rssBeforeBytes());
        assertEquals(200, r.rssAfterBytes());
    }

    @Test
    void setsSoftMaxHeapSizeWhenManageable() {
        String current = HOTSPOT.getVMOption("SoftMaxHeapSize").getValue();
        Relief relief = new Relief(() -> -1, NONE, HOTSPOT, () -> { });

        // The current value: a real change, harmless to the JVM running the tests.
        ReliefResult r = relief.lowerSoftMaxHeapSize(Long.parseLong(current));

        assertTrue(r.done(), r.detail());
        assertEquals(current, HOTSPOT.getVMOption("SoftMaxHeapSize").getValue());
    }

    @Test
    void aValueAboveTheMaxHeapIsRefusedByTheJvm() {
        long max = Long.parseLong(HOTSPOT.getVMOption("MaxHeapSize").getValue());
        Relief relief = new Relief(() -> -1, NONE, HOTSPOT, () -> { });

        ReliefResult r = relief.lowerSoftMaxHeapSize(max * 2);

        assertFalse(r.done());
        assertTrue(r.detail().contains("refused"), r.detail());
    }

    @Test
    void aFlagThatIsNotManageableIsLeftAlone() {
        Relief relief = new Relief(() -> -1, NONE, HOTSPOT, () -> { });

        ReliefResult r = relief.setFlag("maxHeap", "MaxHeapSize", 1L << 30);

        assertFalse(r.done());
        assertTrue(r.detail().contains("not manageable"), r.detail());
    }

    @Test
    void readsVmRssInKilobytes() throws IOException {
        Files.createDirectories(tmp.resolve("self"));
        Files.writeString(tmp.resolve("self/status"), """
                Name:\tjava
                VmPeak:\t 6123456 kB
                VmSize:\t 6023456 kB
                VmHWM:\t  412345 kB
                VmRSS:\t  401234 kB
                RssAnon:\t  380000 kB
                """);

        assertEquals(401234L * 1024, Relief.rssFrom(tmp).getAsLong());
        assertEquals(-1, Relief.rssFrom(tmp.resolve("missing")).getAsLong());
    }
}
