package dev.headroom.reconcile;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.headroom.publish.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cause texts a person reads beside a number, read against what the JDK does and what the
 * agent's readers measure: a real JVM takes memory each way, and the text of the part that shows it
 * must say so (and must not claim a bound the JVM does not enforce).
 */
class CauseTextsTest {

    @TempDir
    Path dir;

    private ChildJvm.Result probe(String how, String... jvmArgs) throws Exception {
        List<String> command = new ArrayList<>(List.of(ChildJvm.java(), "-Xmx64m"));
        command.addAll(List.of(jvmArgs));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), NativeMemoryProbe.class.getName(), how));
        ChildJvm.Result r = ChildJvm.run(dir, command, 60);
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        return r;
    }

    private static long value(ChildJvm.Result r, String key) {
        return Long.parseLong(r.lines(key + " ").get(0).substring(key.length() + 1));
    }

    @Test
    void directBuffersCountAllocateDirectAndItsBoundButNotUnsafeAllocateMemory() throws Exception {
        ChildJvm.Result direct = probe("direct");
        assertEquals(NativeMemoryProbe.BYTES, value(direct, "direct"), direct.stdout());
        ChildJvm.Result unsafe = probe("unsafe");
        assertEquals(0, value(unsafe, "direct"), "the direct pool does not see Unsafe.allocateMemory: " + unsafe.stdout());

        String cause = PartCatalogue.cause(PartCatalogue.DIRECT_BUFFERS);
        assertTrue(cause.contains("ByteBuffer.allocateDirect"), cause);
        assertTrue(cause.contains("Raw Unsafe.allocateMemory is neither counted here nor bounded by it"), cause);
        assertTrue(cause.contains("native memory not tracked by the JVM"), cause);
        assertEquals("Native, not tracked by the JVM", PartCatalogue.label(PartCatalogue.NATIVE_UNTRACKED),
                "the part the direct-buffers text sends Unsafe memory to");
    }

    @Test
    void maxDirectMemorySizeBoundsDirectBuffersButNotUnsafeMemory() throws Exception {
        ChildJvm.Result direct = probe("direct", "-XX:MaxDirectMemorySize=4m");
        assertEquals(1, direct.lines("refused ").size(), "allocateDirect past MaxDirectMemorySize: " + direct.stdout());
        ChildJvm.Result unsafe = probe("unsafe", "-XX:MaxDirectMemorySize=4m");
        assertEquals(List.of("taken"), unsafe.lines("taken"), "Unsafe past MaxDirectMemorySize: " + unsafe.stdout());

        assertTrue(PartCatalogue.cause(PartCatalogue.DIRECT_BUFFERS).contains("bounded by -XX:MaxDirectMemorySize"));
        String untracked = PartCatalogue.cause(PartCatalogue.NATIVE_UNTRACKED);
        assertTrue(untracked.contains("Unsafe.allocateMemory, which no MXBean counts and -XX:MaxDirectMemorySize does"
                + " not bound"), untracked);
        assertTrue(untracked.contains("-Dio.netty.maxDirectMemory"), untracked);
    }

    @Test
    void withNmtTheOtherCategoryHoldsUnsafeMemoryAndItsTextSaysSo() throws Exception {
        ChildJvm.Result unsafe = probe("unsafe", "-XX:NativeMemoryTracking=summary");
        long other = value(unsafe, "other");
        assertTrue(other >= NativeMemoryProbe.BYTES, "NMT Other grew by " + other + ": " + unsafe.stdout());
        ChildJvm.Result direct = probe("direct", "-XX:NativeMemoryTracking=summary");
        assertTrue(value(direct, "other") >= NativeMemoryProbe.BYTES, direct.stdout());

        String cause = PartCatalogue.cause("nmt.other");
        assertTrue(cause.contains("Unsafe.allocateMemory: direct ByteBuffers (bounded by -XX:MaxDirectMemorySize) and"
                + " raw Unsafe memory"), cause);
        assertTrue(cause.contains("-Dio.netty.maxDirectMemory"), cause);
    }

    @Test
    void theCodeCacheBoundNamedIsThisJvmsDefault() {
        // This test's JVM runs with the defaults (tiered compilation on).
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        assertEquals("true", hotspot.getVMOption("TieredCompilation").getValue());
        long reserved = Long.parseLong(hotspot.getVMOption("ReservedCodeCacheSize").getValue());
        String cause = PartCatalogue.cause(PartCatalogue.CODE_CACHE);
        assertTrue(cause.contains("(" + (reserved >> 20) + " MiB by default with tiered compilation"), reserved + ": " + cause);
    }

    @Test
    void theHeapPartIsWhatIsCommittedNotOnlyWhatIsHeld() {
        // The part is MemoryMXBean's committed heap (Reconciler), which holds garbage too.
        String cause = PartCatalogue.cause(PartCatalogue.HEAP);
        assertTrue(cause.startsWith("Memory the JVM has committed for the Java heap"), cause);
        assertFalse(cause.startsWith("Objects the application holds"), cause);
    }
}
