package dev.headroom.publish.micrometer;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A plain transformer that only compares class names: the agent's whole cost in an application
 * without Micrometer is one string comparison per loaded class. When a loader defines
 * {@code MeterRegistry}, the bridge weaves its constructor right there, in this call, before the
 * class exists: no registry can be constructed before it is instrumented, in any loader, at any
 * moment (a registry built by the first statement of {@code main} included).
 *
 * <p>It is registered in {@code premain} itself, on the application's main thread, because the
 * agent's own thread may still be reading the options when {@code main} starts building its
 * registry. The options decide whether there is a bridge at all; a {@code MeterRegistry} defined
 * before they are read waits for them here (a few milliseconds, at most {@link #DECISION_WAIT_MILLIS}).
 * Only this class loads on the main thread: the bridge is named in field and method types only,
 * which the verifier does not load.
 */
public final class MeterRegistryWatch implements ClassFileTransformer {

    static final String METER_REGISTRY_INTERNAL = "io/micrometer/core/instrument/MeterRegistry";
    /**
     * How long a {@code MeterRegistry} being defined waits for the options. Past it, the class is
     * defined as it is, and the bridge, once there, retransforms it (registries built meanwhile are
     * then reached only through {@code Metrics.globalRegistry}, and the bridge says so).
     */
    static final long DECISION_WAIT_MILLIS = 5_000;

    private final CountDownLatch decided = new CountDownLatch(1);
    private volatile MicrometerBridge bridge;
    private volatile boolean waitedInVain;

    /** Registers a new watch (with retransformation, for the bridge's attach path). */
    public static MeterRegistryWatch register(Instrumentation inst) {
        MeterRegistryWatch watch = new MeterRegistryWatch();
        inst.addTransformer(watch, true);
        return watch;
    }

    /** The options were read: {@code bridge} takes over, or {@code null} when there is none. */
    public void decided(MicrometerBridge bridge) {
        this.bridge = bridge;
        decided.countDown();
    }

    /** Whether a {@code MeterRegistry} was defined uninstrumented because the options came too late. */
    boolean waitedInVain() {
        return waitedInVain;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (!METER_REGISTRY_INTERNAL.equals(className)) {
            return null;
        }
        MicrometerBridge b = bridge;
        if (b == null && decided.getCount() > 0) {
            try {
                if (!decided.await(DECISION_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    waitedInVain = true;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            b = bridge;
        }
        if (b == null) {
            return null;
        }
        return classBeingRedefined == null
                ? b.weaveDefined(loader, classfileBuffer)
                : b.weave(loader, classBeingRedefined, classfileBuffer);
    }
}
