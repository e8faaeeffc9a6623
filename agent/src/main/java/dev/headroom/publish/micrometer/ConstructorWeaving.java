package dev.headroom.publish.micrometer;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.MethodGraph;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.matcher.ElementMatchers;
import net.bytebuddy.pool.TypePool;

/**
 * The only class that uses Byte Buddy, so that Byte Buddy is loaded only once the application has
 * loaded Micrometer. It adds {@link ConstructorAdvice} to {@code MeterRegistry}'s constructor
 * during a retransformation, which may change method bodies only: no new members, no changed
 * signatures (hence the frozen type and the disabled implementation context).
 */
final class ConstructorWeaving {

    private ConstructorWeaving() {
    }

    /**
     * @param loader    the loader that defined {@code MeterRegistry}, to read the class files its
     *                  description refers to (read as resources: no class is loaded)
     * @param classFile the class file the JVM hands the transformer
     */
    static byte[] weave(ClassLoader loader, String binaryName, byte[] classFile) {
        ClassFileLocator locator = new ClassFileLocator.Compound(
                ClassFileLocator.Simple.of(binaryName, classFile),
                ClassFileLocator.ForClassLoader.of(loader));
        TypePool pool = TypePool.Default.of(locator);
        return new ByteBuddy()
                .with(TypeValidation.DISABLED)
                .with(Implementation.Context.Disabled.Factory.INSTANCE)
                .with(InstrumentedType.Factory.Default.FROZEN)
                .with(MethodGraph.Compiler.ForDeclaredMethods.INSTANCE)
                .redefine(pool.describe(binaryName).resolve(), locator)
                .visit(Advice.to(ConstructorAdvice.class).on(ElementMatchers.isConstructor()))
                .make(pool)
                .getBytes();
    }
}
