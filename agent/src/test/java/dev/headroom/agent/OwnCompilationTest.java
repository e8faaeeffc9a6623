package dev.headroom.agent;

import org.junit.jupiter.api.Test;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

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

    private static String diagnostic(String operation) throws Exception {
        return ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                operation, new Object[] {new String[0]}, new String[] {String[].class.getName()}).toString();
    }
}
