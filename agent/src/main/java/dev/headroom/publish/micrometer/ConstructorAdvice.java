package dev.headroom.publish.micrometer;

import net.bytebuddy.asm.Advice;

import java.util.function.Consumer;

/**
 * Inlined by Byte Buddy at the end of {@code MeterRegistry}'s constructor, which every registry
 * (Prometheus, the global composite, a test's SimpleMeterRegistry) runs. It runs in the
 * application's class loader, so it uses JDK types only and reaches the agent through
 * {@link RegistryHook} by name. {@code suppress = Throwable.class}: whatever goes wrong here, the
 * application's registry is still constructed.
 */
final class ConstructorAdvice {

    private ConstructorAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    @SuppressWarnings("unchecked")
    static void exit(@Advice.This Object registry) throws Exception {
        Object hook = Class.forName("dev.headroom.publish.micrometer.RegistryHook", false,
                ClassLoader.getSystemClassLoader()).getField("hook").get(null);
        if (hook instanceof Consumer) {
            ((Consumer<Object>) hook).accept(registry);
        }
    }
}
