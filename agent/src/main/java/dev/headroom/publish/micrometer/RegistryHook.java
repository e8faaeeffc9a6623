package dev.headroom.publish.micrometer;

import java.util.function.Consumer;

/**
 * Where the code woven into Micrometer's {@code MeterRegistry} constructor hands each new registry
 * to the bridge. The woven code lives in the application's class loader and cannot name this
 * class (a Spring Boot fat jar's loader, or an application server's, need not see the agent), so
 * it finds it by name through the system class loader, where {@code -javaagent} and attach both
 * put the agent jar, and only ever touches the field as a {@link Consumer}: a JDK type, the same
 * in every loader. No agent type crosses into the application's loaders.
 */
public final class RegistryHook {

    /** The name the woven code looks up; a test keeps it equal to this class's name. */
    static final String CLASS_NAME = "dev.headroom.publish.micrometer.RegistryHook";

    /** The method the code woven at definition calls (DefineTimeWeaving); a test keeps it equal. */
    static final String METHOD_NAME = "constructed";

    /** Takes each constructed {@code MeterRegistry}; {@code null} when no bridge is installed. */
    public static volatile Consumer<Object> hook;

    /**
     * Called, through reflection, by the constructor of a {@code MeterRegistry} woven as it was
     * defined. Never throws: the application's registry is being constructed.
     */
    public static void constructed(Object registry) {
        Consumer<Object> h = hook;
        if (h != null) {
            try {
                h.accept(registry);
            } catch (Throwable ignored) {
                // The bridge only queues the registry; nothing here may reach the application.
            }
        }
    }

    private RegistryHook() {
    }
}
