package dev.headroom.reconcile;

import dev.headroom.sense.jvm.BufferPoolUsage;
import dev.headroom.sense.jvm.JvmReader;
import dev.headroom.sense.jvm.NmtCategory;
import dev.headroom.sense.jvm.NmtReader;
import dev.headroom.sense.jvm.NmtSummary;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * A child JVM for {@link CauseTextsTest}: takes 16 MiB one way ({@code direct}: ByteBuffer.allocateDirect;
 * {@code unsafe}: sun.misc.Unsafe.allocateMemory, as Netty's buffers without a Cleaner) and prints
 * what the agent's readers then see: {@code taken} or {@code refused <error>}, the direct buffer
 * pool's bytes before and after, and NMT's "Other" committed before and after (when NMT is on).
 */
public final class NativeMemoryProbe {

    static final long BYTES = 16L << 20;

    public static void main(String[] args) throws Exception {
        JvmReader jvm = new JvmReader();
        NmtReader nmt = new NmtReader();
        long directBefore = direct(jvm);
        long otherBefore = other(nmt);
        Object keep = null;
        try {
            if (args[0].equals("direct")) {
                keep = ByteBuffer.allocateDirect((int) BYTES);
            } else {
                Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
                f.setAccessible(true);
                sun.misc.Unsafe unsafe = (sun.misc.Unsafe) f.get(null);
                long address = unsafe.allocateMemory(BYTES);
                unsafe.setMemory(address, BYTES, (byte) 1);
                keep = address;
            }
            System.out.println("taken");
        } catch (OutOfMemoryError e) {
            System.out.println("refused " + e.getMessage());
        }
        System.out.println("direct " + (direct(jvm) - directBefore));
        System.out.println("other " + (nmt.enabled() ? other(nmt) - otherBefore : -1));
        System.out.println("kept " + (keep != null));
    }

    private static long direct(JvmReader jvm) {
        for (BufferPoolUsage pool : jvm.read(null).bufferPools()) {
            if ("direct".equals(pool.name())) {
                return pool.memoryUsedBytes();
            }
        }
        return -1;
    }

    private static long other(NmtReader nmt) {
        if (!nmt.enabled()) {
            return -1;
        }
        NmtSummary summary = nmt.read();
        for (NmtCategory c : summary.categories()) {
            if ("Other".equals(c.name())) {
                return c.committedBytes();
            }
        }
        return 0;
    }
}
