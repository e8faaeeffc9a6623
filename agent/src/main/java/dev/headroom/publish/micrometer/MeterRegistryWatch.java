package dev.headroom.publish.micrometer;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * A plain transformer that only compares class names: the agent's whole cost in an application
 * without Micrometer is one string comparison per loaded class. It tells the bridge when some
 * loader defines {@code MeterRegistry}, and changes that class's bytes only during the
 * retransformation the bridge itself asks for, on the bridge's own thread.
 */
final class MeterRegistryWatch implements ClassFileTransformer {

    static final String METER_REGISTRY_INTERNAL = "io/micrometer/core/instrument/MeterRegistry";

    private final MicrometerBridge bridge;

    MeterRegistryWatch(MicrometerBridge bridge) {
        this.bridge = bridge;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (!METER_REGISTRY_INTERNAL.equals(className)) {
            return null;
        }
        if (classBeingRedefined == null) {
            // Being defined right now: it cannot be retransformed before this returns, so hand the
            // loader over and let the bridge's thread do the rest.
            bridge.meterRegistryDefined(loader);
            return null;
        }
        return bridge.weave(loader, classBeingRedefined, classfileBuffer);
    }
}
