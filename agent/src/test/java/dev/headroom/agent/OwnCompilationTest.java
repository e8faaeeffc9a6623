package dev.headroom.agent;

import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnCompilationTest {

    @Test
    void theDirectiveReachesTheJvmAndExcludesOnlyTheAgentsCodeFromC2() throws Exception {
        assertNull(OwnCompilation.keepC2Away());

        String printed = diagnostic("compilerDirectivesPrint");
        // The first directive on the stack is ours; HotSpot's default one (matching everything) stays below it.
        int ours = printed.indexOf("matching: dev/headroom/*.*");
        assertTrue(ours >= 0, printed);
        String block = printed.substring(ours);
        int c1 = block.indexOf("c1 directives:");
        int c2 = block.indexOf("c2 directives:");
        assertTrue(c1 >= 0 && c2 > c1, block);
        assertTrue(block.substring(c1, c2).contains("Exclude:false"), "C1 still compiles it");
        assertTrue(block.substring(c2).contains("Exclude:true"), "C2 does not");
        assertTrue(printed.contains("matching: *.*"), "the default directive for all other code is still there");
        // Removed again, so that other tests in this JVM compile as usual.
        diagnostic("compilerDirectivesRemove");
        assertTrue(!diagnostic("compilerDirectivesPrint").contains("dev/headroom"), "removed");
    }

    @Test
    void withoutC2InTiersNothingIsAddedSoTheCodeIsNotLeftInterpreted() throws Exception {
        // A JVM of its own: -XX:TieredStopAtLevel=1 (C1 alone, common for fast starts) and
        // -XX:-TieredCompilation (C2 alone, where excluding C2 would mean the interpreter forever).
        for (String flag : new String[] {"-XX:TieredStopAtLevel=1", "-XX:-TieredCompilation"}) {
            Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    flag, "-cp", System.getProperty("java.class.path"), Probe.class.getName())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            assertEquals(0, p.waitFor(), out);
            assertEquals("tiered false, added null, directive false", out, flag);
        }
    }

    /** Run in a JVM of its own by the test above. */
    static final class Probe {
        public static void main(String[] args) throws Exception {
            boolean tiered = OwnCompilation.tieredWithC2();
            String added = OwnCompilation.keepC2Away();
            System.out.println("tiered " + tiered + ", added " + added + ", directive "
                    + diagnostic("compilerDirectivesPrint").contains("dev/headroom"));
        }
    }

    private static String diagnostic(String operation) throws Exception {
        return ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                operation, new Object[] {new String[0]}, new String[] {String[].class.getName()}).toString();
    }
}
