package dev.headroom.sense.jvm;

import java.lang.management.ManagementFactory;

/**
 * The JVM's {@code -XX} flags through {@code com.sun.management.HotSpotDiagnosticMXBean}. That type lives in the
 * {@code jdk.management} module, which a jlinked runtime or a non-HotSpot JVM may lack: it is named only inside
 * method bodies guarded by catches, so this class loads and links without it and then answers {@code null}.
 */
final class VmOptions {

    static final VmOptions NONE = new VmOptions(null);

    /** A {@code HotSpotDiagnosticMXBean}, or {@code null}; typed Object so that linking never needs the type. */
    private final Object bean;

    private VmOptions(Object bean) {
        this.bean = bean;
    }

    static VmOptions platform() {
        try {
            return new VmOptions(ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class));
        } catch (LinkageError | RuntimeException e) {
            return NONE;
        }
    }

    /** The option's value as the JVM prints it, or {@code null} when this JVM has no such option or no bean. */
    String get(String name) {
        if (bean == null) {
            return null;
        }
        try {
            return ((com.sun.management.HotSpotDiagnosticMXBean) bean).getVMOption(name).getValue();
        } catch (LinkageError | RuntimeException e) { // IllegalArgumentException: no such option in this JDK
            return null;
        }
    }
}
