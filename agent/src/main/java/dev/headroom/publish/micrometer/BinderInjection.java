package dev.headroom.publish.micrometer;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.commons.ClassRemapper;
import net.bytebuddy.jar.asm.commons.SimpleRemapper;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Puts {@link MeterBinding} into the class loader of one {@code MeterRegistry} class, so that it
 * links against that loader's Micrometer (a Spring Boot fat jar's, a web application's, the
 * class path's).
 *
 * <p>How: {@link MethodHandles.Lookup#defineClass} defines a class in the loader and package of
 * the lookup's class. A private lookup in {@code MeterRegistry} therefore needs the binder to be
 * in {@code io.micrometer.core.instrument}, so its class file is renamed (with Byte Buddy's copy
 * of ASM) to {@value #BINDER_NAME} first. Unlike Byte Buddy's reflective injector this needs no
 * {@code sun.misc.Unsafe} (which JDK 24+ warns about on the application's stderr). A hidden class
 * would leave no name behind, but defining one needs full privilege in the target, which a lookup
 * from another module (another loader's unnamed module) never has.
 */
final class BinderInjection {

    static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";
    static final String BINDER_NAME = "io.micrometer.core.instrument.HeadroomMeterBinding";
    /** {@link MeterBinding}'s own name, spelled out: naming the class would load it in the agent's loader. */
    static final String BINDER_SOURCE = "dev/headroom/publish/micrometer/MeterBinding";

    private BinderInjection() {
    }

    /** The {@code MeterRegistry} class among the registry's superclasses, or {@code null}. */
    static Class<?> meterRegistryClass(Object registry) {
        for (Class<?> c = registry.getClass(); c != null; c = c.getSuperclass()) {
            if (METER_REGISTRY.equals(c.getName())) {
                return c;
            }
        }
        return null;
    }

    /**
     * The binder defined beside {@code meterRegistry}: defined on the first call for that class,
     * found again on later ones (also when an earlier agent defined it).
     */
    @SuppressWarnings("unchecked")
    static BiConsumer<Object, Object[]> binderFor(Class<?> meterRegistry, Instrumentation inst)
            throws ReflectiveOperationException, IOException {
        openTo(meterRegistry, inst);
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(meterRegistry, MethodHandles.lookup());
        Class<?> binder;
        try {
            binder = lookup.defineClass(renamedBinder());
        } catch (LinkageError alreadyDefined) {
            // An earlier agent in this JVM (an attach after an attach) defined it in this loader.
            binder = lookup.findClass(BINDER_NAME);
            if (binder.getClassLoader() != meterRegistry.getClassLoader()) {
                throw alreadyDefined;
            }
        }
        MethodHandles.Lookup inBinder = MethodHandles.privateLookupIn(binder, MethodHandles.lookup());
        try {
            return (BiConsumer<Object, Object[]>) inBinder.findConstructor(binder, MethodType.methodType(void.class))
                    .invoke();
        } catch (ReflectiveOperationException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * An application that puts Micrometer on the module path (a named or automatic module) may not
     * open its package to the agent; the agent may open it for itself.
     */
    private static void openTo(Class<?> meterRegistry, Instrumentation inst) {
        Module target = meterRegistry.getModule();
        Module self = BinderInjection.class.getModule();
        String pkg = meterRegistry.getPackageName();
        if (!target.isOpen(pkg, self) && inst != null && inst.isModifiableModule(target)) {
            inst.redefineModule(target, Set.of(), Map.of(), Map.of(pkg, Set.of(self)), Set.of(), Map.of());
        }
    }

    /** {@link MeterBinding}'s class file, renamed into Micrometer's package. */
    static byte[] renamedBinder() throws IOException {
        byte[] original;
        try (InputStream in = BinderInjection.class.getResourceAsStream("/" + BINDER_SOURCE + ".class")) {
            if (in == null) {
                throw new IOException("the agent jar has no " + BINDER_SOURCE + ".class");
            }
            original = in.readAllBytes();
        }
        ClassReader reader = new ClassReader(original);
        ClassWriter writer = new ClassWriter(0);
        reader.accept(new ClassRemapper(writer, new SimpleRemapper(BINDER_SOURCE, BINDER_NAME.replace('.', '/'))), 0);
        return writer.toByteArray();
    }
}
