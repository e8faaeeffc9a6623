package dev.headroom.agent;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuntimeModulesTest {

    @Test
    void aFullJdkMissesNothing() {
        assertNull(RuntimeModules.boot().missing());
        assertNull(new RuntimeModules(Set.of("java.management", "jdk.management", "jdk.jfr")::contains).missing());
    }

    @Test
    void withoutJavaManagementOneLineSaysWhatIsLostAndWhatIsStillRead() {
        String line = new RuntimeModules(Set.of("java.base")::contains).missing();
        assertEquals("this runtime has no java.management, jdk.jfr modules: no heap, metaspace, thread and GC figures"
                + " (MXBeans); no heap dumps, class histograms or NMT (diagnostic commands); no JMX MBean;"
                + " no JFR events. The cgroup and /proc are still read.", line);
    }

    @Test
    void withoutJdkManagementOnlyTheHotSpotPartsAreLost() {
        String line = new RuntimeModules(Set.of("java.management", "jdk.jfr")::contains).missing();
        assertTrue(line.startsWith("this runtime has no jdk.management module: no heap dumps"), line);
    }
}
