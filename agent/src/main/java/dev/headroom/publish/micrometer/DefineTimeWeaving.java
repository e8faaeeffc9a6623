package dev.headroom.publish.micrometer;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Weaves {@code MeterRegistry} while it is being defined, on the application's thread, with Byte
 * Buddy's copy of ASM alone: a handful of classes, where Byte Buddy's {@code Advice} loads hundreds
 * (interpreted this early, that cost seconds on a loaded two-core machine: docs/performance.md).
 *
 * <p>A class being defined may get new members, so the hook is a private static method of its own,
 * {@value #HOOK_METHOD}{@code (Object)}, which hands the registry to {@link RegistryHook} by name
 * through the system class loader, inside a catch-all: whatever goes wrong, the registry is still
 * constructed. Each constructor calls it just before it returns, with {@code this}: two
 * instructions without a branch, so the constructor's stack map frames stay as they are and
 * nothing needs computing (computing frames would load classes of the application's).
 */
final class DefineTimeWeaving {

    static final String HOOK_METHOD = "headroom$registryConstructed";
    private static final String OBJECT = "java/lang/Object";

    private DefineTimeWeaving() {
    }

    static byte[] weave(byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            private String owner;

            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                owner = name;
                super.visit(version, access, name, signature, superName, interfaces);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, descriptor, signature, exceptions);
                return "<init>".equals(name) ? new ConstructorExit(mv, owner) : mv;
            }

            @Override
            public void visitEnd() {
                hookMethod(cv);
                super.visitEnd();
            }
        }, 0);
        return writer.toByteArray();
    }

    /** Calls the hook before every {@code return} of a constructor. */
    private static final class ConstructorExit extends MethodVisitor {
        private final String owner;

        ConstructorExit(MethodVisitor mv, String owner) {
            super(Opcodes.ASM9, mv);
            this.owner = owner;
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.RETURN) {
                super.visitVarInsn(Opcodes.ALOAD, 0);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, owner, HOOK_METHOD, "(L" + OBJECT + ";)V", false);
            }
            super.visitInsn(opcode);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(Math.max(maxStack, 1), maxLocals);
        }
    }

    /**
     * {@code private static synthetic void headroom$registryConstructed(Object registry)}: <pre>
     * try {
     *     Class.forName(RegistryHook, false, ClassLoader.getSystemClassLoader())
     *          .getMethod("constructed", Object.class).invoke(null, registry);
     * } catch (Throwable ignored) {
     * }</pre>
     */
    private static void hookMethod(ClassVisitor cv) {
        MethodVisitor mv = cv.visitMethod(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC,
                HOOK_METHOD, "(L" + OBJECT + ";)V", null, null);
        mv.visitCode();
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        mv.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
        mv.visitLabel(start);
        mv.visitLdcInsn(RegistryHook.CLASS_NAME);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/ClassLoader", "getSystemClassLoader",
                "()Ljava/lang/ClassLoader;", false);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Class", "forName",
                "(Ljava/lang/String;ZLjava/lang/ClassLoader;)Ljava/lang/Class;", false);
        mv.visitLdcInsn(RegistryHook.METHOD_NAME);
        mv.visitInsn(Opcodes.ICONST_1);
        mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Class");
        mv.visitInsn(Opcodes.DUP);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitLdcInsn(Type.getObjectType(OBJECT));
        mv.visitInsn(Opcodes.AASTORE);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/Class", "getMethod",
                "(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;", false);
        mv.visitInsn(Opcodes.ACONST_NULL);
        mv.visitInsn(Opcodes.ICONST_1);
        mv.visitTypeInsn(Opcodes.ANEWARRAY, OBJECT);
        mv.visitInsn(Opcodes.DUP);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitInsn(Opcodes.AASTORE);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/reflect/Method", "invoke",
                "(Ljava/lang/Object;[Ljava/lang/Object;)Ljava/lang/Object;", false);
        mv.visitInsn(Opcodes.POP);
        mv.visitLabel(end);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitLabel(handler);
        mv.visitFrame(Opcodes.F_FULL, 1, new Object[] {OBJECT}, 1, new Object[] {"java/lang/Throwable"});
        mv.visitInsn(Opcodes.POP);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitMaxs(6, 1);
        mv.visitEnd();
    }
}
