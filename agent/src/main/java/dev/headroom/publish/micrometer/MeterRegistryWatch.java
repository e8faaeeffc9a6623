package dev.headroom.publish.micrometer;

import java.lang.instrument.Instrumentation;
import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Supplier;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

/**
 * A plain transformer that only compares class names: the agent's whole cost in an application
 * without Micrometer is one string comparison per loaded class. It tells the bridge when some
 * loader defines {@code MeterRegistry}, and changes that class's bytes only during the
 * retransformation the bridge itself asks for, on the bridge's own thread.
 */
public final class MeterRegistryWatch implements ClassFileTransformer {

    static final String METER_REGISTRY_INTERNAL = "io/micrometer/core/instrument/MeterRegistry";

    /** Set once the bridge exists; until then, loaders that define MeterRegistry wait in {@link #early}. */
    private volatile MicrometerBridge bridge;
    private final ConcurrentLinkedQueue<Object> early = new ConcurrentLinkedQueue<>();

    private MeterRegistryWatch() {
    }

    MeterRegistryWatch(MicrometerBridge bridge) {
        this.bridge = bridge;
    }

    /**
     * For premain: puts the watch in place before the application's main can load Micrometer, and
     * nothing else; {@link MicrometerBridge#install(Instrumentation, Supplier, Consumer, MeterRegistryWatch)}
     * on the agent's thread builds the bridge behind it. What premain costs is measured
     * (docs/performance.md): the bridge's classes load on the agent's thread, not on main.
     */
    public static MeterRegistryWatch install(Instrumentation inst) {
        MeterRegistryWatch watch = new MeterRegistryWatch();
        inst.addTransformer(watch, true);
        return watch;
    }

    /** Hands over to the bridge, with the loaders that defined MeterRegistry before it existed. */
    void attach(MicrometerBridge bridge) {
        this.bridge = bridge;
        for (Object waiting; (waiting = early.poll()) != null; ) {
            if (waiting == BOOT) {
                bridge.meterRegistryDefined(null);
            } else if (((WeakReference<?>) waiting).get() instanceof ClassLoader loader) {
                bridge.meterRegistryDefined(loader);
            }
        }
    }

    private static final Object BOOT = new Object();

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (!METER_REGISTRY_INTERNAL.equals(className)) {
            return null;
        }
        if (classBeingRedefined == null) {
            // Being defined right now: it cannot be retransformed before this returns, so hand the
            // loader over and let the bridge's thread do the rest.
            MicrometerBridge b = bridge;
            if (b != null) {
                b.meterRegistryDefined(loader);
            } else {
                early.add(loader == null ? BOOT : new WeakReference<>(loader));
                b = bridge;
                if (b != null) {
                    attach(b); // the bridge arrived meanwhile: do not leave this one waiting
                }
            }
            return null;
        }
        MicrometerBridge b = bridge;
        return b == null ? null : b.weave(loader, classBeingRedefined, classfileBuffer);
    }
}
