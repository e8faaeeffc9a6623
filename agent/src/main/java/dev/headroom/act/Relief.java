package dev.headroom.act;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Opt-in actions that can give memory back before the limit is reached. Each reports whether it
 * ran and the process RSS just before and after (RSS, not the cgroup working set: these act on
 * this process's pages, and RSS moves at once where the cgroup counters lag).
 */
public final class Relief {

    public static final String TRIM_NATIVE_HEAP = "trimNativeHeap";
    public static final String GC = "gc";
    public static final String SOFT_MAX_HEAP_SIZE = "softMaxHeapSize";

    private final LongSupplier rssBytes;
    private final DiagnosticCommands commands;
    private final HotSpotDiagnosticMXBean hotspot;
    private final Runnable gc;

    /**
     * @param rssBytes the process RSS in bytes, {@code -1} when unknown; e.g. {@link #rssFrom(Path)}
     */
    public Relief(LongSupplier rssBytes) {
        this(rssBytes, DiagnosticCommands.platform(), hotspot(), System::gc);
    }

    Relief(LongSupplier rssBytes, DiagnosticCommands commands, HotSpotDiagnosticMXBean hotspot, Runnable gc) {
        this.rssBytes = rssBytes;
        this.commands = commands;
        this.hotspot = hotspot;
        this.gc = gc;
    }

    /**
     * Returns free glibc malloc memory to the kernel ({@code System.trim_native_heap}, which calls
     * {@code malloc_trim(0)}): arenas that grew under load keep their freed pages resident
     * otherwise. The command exists on JDK 21 and later and on recent 17 updates (JDK-8293114);
     * older JDKs named it {@code VM.trim_native_heap}. Never throws.
     */
    public ReliefResult trimNativeHeap() {
        String op = commands.has("systemTrimNativeHeap") ? "systemTrimNativeHeap"
                : commands.has("vmTrimNativeHeap") ? "vmTrimNativeHeap" : null;
        if (op == null) {
            return ReliefResult.notDone(TRIM_NATIVE_HEAP, "not available on this JDK (System.trim_native_heap needs"
                    + " JDK 21, or 17.0.9 and later)");
        }
        long before = rss();
        try {
            String out = commands.run(op).trim();
            return new ReliefResult(TRIM_NATIVE_HEAP, true, out.isEmpty() ? "trimmed" : firstLine(out), before, rss());
        } catch (Exception e) {
            return new ReliefResult(TRIM_NATIVE_HEAP, false, "failed: " + e, before, -1);
        }
    }

    /**
     * Asks for a GC ({@code System.gc()}). With {@code -XX:+DisableExplicitGC} the JVM ignores it,
     * which the detail says. Synchronous unless {@code -XX:+ExplicitGCInvokesConcurrent}. Never throws.
     */
    public ReliefResult requestGc() {
        if ("true".equals(flag("DisableExplicitGC"))) {
            return ReliefResult.notDone(GC, "ignored: the JVM runs with -XX:+DisableExplicitGC");
        }
        long before = rss();
        try {
            gc.run();
            return new ReliefResult(GC, true, "System.gc() returned", before, rss());
        } catch (RuntimeException e) {
            return new ReliefResult(GC, false, "failed: " + e, before, -1);
        }
    }

    /**
     * Lowers {@code SoftMaxHeapSize}, the heap size the GC tries to stay under, to {@code bytes},
     * when the flag is manageable in this JVM. Only ZGC and Shenandoah act on it; other collectors
     * accept the value and ignore it, which the detail says. The heap shrinks as the GC uncommits,
     * not at once. Never throws.
     */
    public ReliefResult lowerSoftMaxHeapSize(long bytes) {
        return setFlag(SOFT_MAX_HEAP_SIZE, "SoftMaxHeapSize", bytes);
    }

    ReliefResult setFlag(String action, String flag, long bytes) {
        if (hotspot == null) {
            return ReliefResult.notDone(action, "HotSpotDiagnosticMXBean is not available");
        }
        if (bytes <= 0) {
            return ReliefResult.notDone(action, "refusing " + flag + "=" + bytes + ": not a size");
        }
        VMOption option;
        try {
            option = hotspot.getVMOption(flag);
        } catch (RuntimeException e) {
            return ReliefResult.notDone(action, flag + " does not exist in this JVM");
        }
        if (!option.isWriteable()) {
            return ReliefResult.notDone(action, flag + " is not manageable in this JVM");
        }
        long before = rss();
        try {
            hotspot.setVMOption(flag, Long.toString(bytes));
        } catch (RuntimeException e) {
            // e.g. above MaxHeapSize: HotSpot's flag constraint refuses it.
            return new ReliefResult(action, false, flag + "=" + bytes + " refused: " + e.getMessage(), before, -1);
        }
        String note = "true".equals(flag("UseZGC")) || "true".equals(flag("UseShenandoahGC"))
                ? "" : "; this collector does not act on it (ZGC and Shenandoah do)";
        return new ReliefResult(action, true, flag + " " + option.getValue() + " -> " + bytes + note, before, rss());
    }

    private String flag(String name) {
        try {
            return hotspot == null ? null : hotspot.getVMOption(name).getValue();
        } catch (RuntimeException e) {
            return null; // The flag does not exist in this build (e.g. Shenandoah in some JDKs).
        }
    }

    private long rss() {
        try {
            return rssBytes.getAsLong();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static HotSpotDiagnosticMXBean hotspot() {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: a runtime without the jdk.management module (jlink, --limit-modules).
            return null;
        }
    }

    /**
     * The RSS from {@code VmRSS} in {@code <procRoot>/self/status} (kB, proc(5)), {@code -1} when
     * unreadable. Reads one small file per call; meant for relief actions, not the tick.
     */
    public static LongSupplier rssFrom(Path procRoot) {
        Path status = procRoot.resolve("self/status");
        return () -> {
            try (BufferedReader in = Files.newBufferedReader(status, StandardCharsets.US_ASCII)) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("VmRSS:")) {
                        long kb = 0;
                        boolean any = false;
                        for (int i = 6; i < line.length(); i++) {
                            char c = line.charAt(i);
                            if (c >= '0' && c <= '9') {
                                kb = kb * 10 + (c - '0');
                                any = true;
                            } else if (any) {
                                break;
                            }
                        }
                        return any ? kb * 1024 : -1;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // fall through
            }
            return -1;
        };
    }
}
