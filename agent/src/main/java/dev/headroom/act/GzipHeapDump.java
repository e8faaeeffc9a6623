package dev.headroom.act;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * A gzip-compressed heap dump, written in-process by HotSpot itself.
 *
 * <p>Neither {@code HotSpotDiagnosticMXBean.dumpHeap} nor the {@code DiagnosticCommand} MBean can
 * compress: {@code GC.heap_dump -gz} is offered to {@code jcmd} only (not exported to the MBean),
 * and attaching to oneself is refused by default. What HotSpot does offer, through manageable flags,
 * is the dump it writes around a full collection: with {@code HeapDumpPath} set to the file,
 * {@code HeapDumpGzipLevel=1} and {@code HeapDumpAfterFullGC} (live objects) or
 * {@code HeapDumpBeforeFullGC} (everything), a {@code System.gc()} writes
 * {@code GC.heap_dump -gz=1}'s file. The flags are set for that one collection and put back.
 *
 * <p>Where it cannot work, {@link #unavailable()} says why before anything is tried:
 * <ul>
 *   <li>a collector whose {@code System.gc()} is not a full collection with that dump (ZGC,
 *       Shenandoah, Epsilon), or {@code -XX:+DisableExplicitGC} or
 *       {@code -XX:+ExplicitGCInvokesConcurrent};</li>
 *   <li>a second time in one JVM: HotSpot fixes the file name at its first such dump and appends
 *       {@code .1}, {@code .2} to it afterwards, whatever {@code HeapDumpPath} says then, so only the
 *       first lands under the name given (and in the private directory);</li>
 *   <li>{@code HeapDumpBeforeFullGC} or {@code HeapDumpAfterFullGC} already on (the application
 *       dumps at full collections itself, and has fixed that name).</li>
 * </ul>
 * HotSpot creates the file exclusively ({@code O_EXCL}) with mode 0600 and prints its usual
 * "Dumping heap to ..." lines to standard output, as for {@code -XX:+HeapDumpOnOutOfMemoryError}.
 */
final class GzipHeapDump {

    /** Old-generation collectors whose {@code System.gc()} is a full collection with the dump. */
    private static final Set<String> FULL_GC_COLLECTORS = Set.of("G1 Old Generation", "PS MarkSweep",
            "MarkSweepCompact");

    /** Set once the JVM's name for such dumps is taken (by us; see the class comment). */
    private static volatile boolean used;

    private GzipHeapDump() {
    }

    /** Why a compressed dump cannot be written in this JVM, {@code null} when it can. */
    static String unavailable() {
        if (used) {
            return "a compressed dump was already written in this JVM (HotSpot names the next one after it)";
        }
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (hotspot == null) {
                return "no HotSpotDiagnosticMXBean";
            }
            if (!flagWritable(hotspot, "HeapDumpGzipLevel")) {
                return "this JVM has no manageable HeapDumpGzipLevel (JDK 17 or later)";
            }
            for (String flag : new String[] {"DisableExplicitGC", "ExplicitGCInvokesConcurrent",
                    "HeapDumpBeforeFullGC", "HeapDumpAfterFullGC"}) {
                if ("true".equals(value(hotspot, flag))) {
                    return "-XX:+" + flag + " is set";
                }
            }
            boolean fullGc = false;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                fullGc |= FULL_GC_COLLECTORS.contains(gc.getName());
            }
            return fullGc ? null : "the collector's System.gc() writes no full-GC heap dump (ZGC, Shenandoah, Epsilon)";
        } catch (RuntimeException | LinkageError e) {
            return "cannot read the JVM's flags: " + e;
        }
    }

    /**
     * Writes the dump to {@code path} (a fresh name in the private directory). Runs one full
     * collection, as a live dump does anyway.
     *
     * @throws IOException when no dump appeared at {@code path}
     */
    static synchronized void write(String path, boolean live) throws IOException {
        String why = unavailable();
        if (why != null) {
            throw new IOException("no compressed dump: " + why);
        }
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String trigger = live ? "HeapDumpAfterFullGC" : "HeapDumpBeforeFullGC";
        String oldPath = value(hotspot, "HeapDumpPath");
        String oldLevel = value(hotspot, "HeapDumpGzipLevel");
        used = true;
        try {
            hotspot.setVMOption("HeapDumpPath", path);
            hotspot.setVMOption("HeapDumpGzipLevel", "1");
            hotspot.setVMOption(trigger, "true");
            System.gc();
        } catch (RuntimeException e) {
            throw new IOException("cannot set the heap dump flags: " + e, e);
        } finally {
            // Put back in the reverse order, each on its own: a failure of one leaves the others restored.
            restore(hotspot, trigger, "false");
            restore(hotspot, "HeapDumpGzipLevel", oldLevel == null ? "0" : oldLevel);
            restore(hotspot, "HeapDumpPath", oldPath == null ? "" : oldPath);
        }
        if (!Files.isRegularFile(Path.of(path), LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("the JVM wrote no compressed dump at " + path
                    + " (its System.gc() ran no full collection, or an earlier full-GC dump fixed the file name)");
        }
    }

    private static boolean flagWritable(HotSpotDiagnosticMXBean hotspot, String flag) {
        try {
            return hotspot.getVMOption(flag).isWriteable();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String value(HotSpotDiagnosticMXBean hotspot, String flag) {
        try {
            VMOption o = hotspot.getVMOption(flag);
            return o.getValue();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void restore(HotSpotDiagnosticMXBean hotspot, String flag, String value) {
        try {
            hotspot.setVMOption(flag, value);
        } catch (RuntimeException e) {
            // Nothing better to do: the flag stays as it is.
        }
    }
}
