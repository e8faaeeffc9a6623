package dev.headroom.sense.host;

/**
 * Host memory through OSHI, for systems without {@code /proc} (a macOS laptop). OSHI needs JNA, which the shaded
 * agent jar does not bundle (it cannot be relocated); it works only where the application brings JNA. This class is
 * the only one that names OSHI, so that loading the others never needs it, and it is touched only when there is no
 * {@code /proc}.
 */
final class OshiHostMemory {

    private OshiHostMemory() {
    }

    /** Total physical memory in bytes, or {@code -1} when OSHI or JNA is missing or fails. */
    static long totalBytes() {
        try {
            return new oshi.SystemInfo().getHardware().getMemory().getTotal();
        } catch (Throwable t) { // NoClassDefFoundError/UnsatisfiedLinkError without JNA, anything else from native code
            return -1;
        }
    }
}
