package dev.headroom.publish.jmx;

import dev.headroom.act.Level;
import dev.headroom.publish.LatestReading;
import dev.headroom.publish.ReadingFixture;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeadroomBeanTest {

    private static final HeadroomOperations NONE = new HeadroomOperations() {
        @Override
        public String dumpHeap(boolean live) {
            return "no dump";
        }

        @Override
        public String classHistogram() {
            return "";
        }

        @Override
        public String report() {
            return "";
        }

        @Override
        public String trimNativeHeap() {
            return "";
        }
    };

    @Test
    void beforeTheFirstTickAttributesSayUnknown() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        LatestReading latest = new LatestReading();
        List<String> reports = new ArrayList<>();
        assertNotNull(HeadroomJmx.register(server, latest, NONE, reports::add));
        ObjectName name = HeadroomJmx.objectName();
        assertEquals(-1L, server.getAttribute(name, "LimitBytes"));
        assertEquals(-1L, server.getAttribute(name, "HeadroomBytes"));
        assertTrue(Double.isNaN((Double) server.getAttribute(name, "SecondsToLimit")));
        assertEquals("UNKNOWN", server.getAttribute(name, "Level"));
        assertEquals(0, ((CompositeData[]) server.getAttribute(name, "Breakdown")).length);

        latest.set(ReadingFixture.reading(Double.NaN, Level.OK, 0));
        assertEquals(ReadingFixture.LIMIT, server.getAttribute(name, "LimitBytes"));
        assertTrue(Double.isNaN((Double) server.getAttribute(name, "SecondsToLimit")), "nothing forecast");
        assertEquals("OK", server.getAttribute(name, "Level"));
        assertEquals(List.of(), reports);
    }

    @Test
    void registeringAgainReplacesTheEarlierBean() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        LatestReading old = new LatestReading();
        old.set(ReadingFixture.reading(Double.NaN, Level.OK, 0));
        LatestReading live = new LatestReading();
        live.set(ReadingFixture.reading(60, Level.CRITICAL, 3));
        List<String> reports = new ArrayList<>();
        assertNotNull(HeadroomJmx.register(server, old, NONE, reports::add));
        HeadroomJmx second = HeadroomJmx.register(server, live, NONE, reports::add);
        assertNotNull(second);
        assertEquals("CRITICAL", server.getAttribute(HeadroomJmx.objectName(), "Level"));
        assertEquals(3, server.getAttribute(HeadroomJmx.objectName(), "DumpsTaken"));
        second.unregister();
        assertTrue(!server.isRegistered(HeadroomJmx.objectName()));
        assertEquals(List.of(), reports);
    }
}
