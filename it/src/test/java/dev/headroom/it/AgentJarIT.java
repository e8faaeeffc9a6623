package dev.headroom.it;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shaded jar: one self-contained file whose own libraries can never meet the application's. */
class AgentJarIT {

    @Test
    void everyClassLivesUnderTheProjectsOwnPackage() throws Exception {
        List<String> foreign = new ArrayList<>();
        int classes = 0;
        try (JarFile jar = new JarFile(AgentJvm.AGENT_JAR.toFile())) {
            for (JarEntry e : java.util.Collections.list(jar.entries())) {
                if (e.getName().endsWith(".class")) {
                    classes++;
                    if (!e.getName().startsWith("dev/headroom/")) {
                        foreign.add(e.getName());
                    }
                }
            }
        }
        assertTrue(classes > 1000, "Byte Buddy, Jackson and OSHI are bundled: " + classes + " classes");
        assertEquals(List.of(), foreign, "classes outside dev/headroom would clash with the application's");
    }

    @Test
    void bundlesByteBuddyJacksonAndOshiRelocatedButNotMicrometer() throws Exception {
        try (JarFile jar = new JarFile(AgentJvm.AGENT_JAR.toFile())) {
            assertTrue(jar.getEntry("dev/headroom/shaded/bytebuddy/ByteBuddy.class") != null);
            assertTrue(jar.getEntry("dev/headroom/shaded/jackson/core/JsonFactory.class") != null);
            assertTrue(jar.getEntry("dev/headroom/shaded/oshi/SystemInfo.class") != null);
            assertEquals(null, jar.getEntry("io/micrometer/core/instrument/MeterRegistry.class"));
        }
    }

    @Test
    void manifestNamesThePremainAgentAndMainClasses() throws Exception {
        try (JarFile jar = new JarFile(AgentJvm.AGENT_JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("dev.headroom.agent.HeadroomAgent", main.getValue("Premain-Class"));
            assertEquals("dev.headroom.agent.HeadroomAgent", main.getValue("Agent-Class"));
            assertEquals("dev.headroom.cli.Main", main.getValue("Main-Class"));
        }
    }
}
