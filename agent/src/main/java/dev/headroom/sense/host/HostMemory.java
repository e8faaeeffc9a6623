package dev.headroom.sense.host;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The physical memory of the machine (not of the container). */
public final class HostMemory {

    private HostMemory() {
    }

    /**
     * Physical memory of the host in bytes, or -1: {@code procRoot/meminfo} {@code MemTotal}; where there is no
     * {@code /proc} (macOS laptop) OSHI; else {@code com.sun.management.OperatingSystemMXBean#getTotalMemorySize}.
     *
     * <p>{@code meminfo} is not namespaced: inside a container it still shows the host's memory, which is what this
     * method means. The MXBean is the last resort because the JDK makes it container-aware (JDK-8226575): inside a
     * container it answers the cgroup limit instead.
     */
    public static long totalBytes(Path procRoot) {
        Path meminfo = procRoot.resolve("meminfo");
        if (Files.isReadable(meminfo)) {
            try {
                long total = MemInfo.memTotalBytes(new String(Files.readAllBytes(meminfo), StandardCharsets.ISO_8859_1));
                if (total > 0) {
                    return total;
                }
            } catch (IOException | RuntimeException e) {
                // fall through to the other sources
            }
        }
        if (!Files.isDirectory(procRoot)) {
            long total;
            try {
                total = OshiHostMemory.totalBytes();
            } catch (Throwable t) { // linking OshiHostMemory itself may fail when OSHI's classes are absent
                total = -1;
            }
            if (total > 0) {
                return total;
            }
        }
        return fromOperatingSystemBean();
    }

    private static long fromOperatingSystemBean() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                long total = os.getTotalMemorySize();
                return total > 0 ? total : -1;
            }
        } catch (LinkageError | RuntimeException e) { // a runtime without the jdk.management module
            return -1;
        }
        return -1;
    }
}
