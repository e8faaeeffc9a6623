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

    /** Takes each constructed {@code MeterRegistry}; {@code null} when no bridge is installed. */
    public static volatile Consumer<Object> hook;

    private RegistryHook() {
    }
}
