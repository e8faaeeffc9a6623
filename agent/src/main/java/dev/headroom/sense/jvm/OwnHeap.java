package dev.headroom.sense.jvm;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent measures itself: its retained heap, by walking its own objects, and the count of its
 * own loaded classes. Run on a slow cadence (a minute) on the agent's thread; a walk of the agent
 * visits a few thousand objects (docs/performance.md has its cost).
 *
 * <p>The walk starts at the given roots and at the static fields of the agent's loaded classes, and
 * goes through: the agent's own objects (classes under {@code dev.headroom.}, shaded libraries
 * included: reflection on them is allowed, they are in the agent's module), arrays, strings, and
 * the JDK's collections and maps (through their public iteration, with their internal tables
 * estimated from their size). Any other JDK object counts with its shallow size and is not entered:
 * the agent must not reach into the JDK's or the application's graphs (an MXBean, a registry of
 * the application's), and the JDK's internals cannot be opened without changing what the
 * application may do. Classes, class loaders, threads and modules are not counted (they belong to
 * the JVM). So the figure slightly underestimates what a heap dump shows; the comparison with a
 * heap dump is in docs/performance.md.
 *
 * <p>Sizes come from {@link Instrumentation#getObjectSize} when there is one; otherwise (the
 * {@code inspect} command) from the field layout, assuming compressed oops and class pointers.
 */
public final class OwnHeap {

    /** Names of the agent's classes (the shaded libraries live under it too). */
    public static final String OWN_PREFIX = "dev.headroom.";
    /** Beyond this the walk stops: a bug must not make the measure itself the cost. */
    private static final int MAX_OBJECTS = 200_000;
    /** Where the agent's classes come from (its jar); {@code null} when the JVM does not say. */
    private static final String OWN_LOCATION = location(OwnHeap.class);

    private final Instrumentation instrumentation;

    /** @param instrumentation the agent's, or {@code null} (sizes then estimated from the layout, no class count) */
    public OwnHeap(Instrumentation instrumentation) {
        this.instrumentation = instrumentation;
    }

    /** The agent's loaded classes now; {@code -1} without {@code Instrumentation}. */
    public int ownClasses() {
        if (instrumentation == null) {
            return -1;
        }
        int n = 0;
        for (Class<?> c : instrumentation.getAllLoadedClasses()) {
            if (agentClass(c)) {
                n++;
            }
        }
        return n;
    }

    /** Measures both now. Never throws. */
    public AgentFootprint measure(long epochMillis, Object... roots) {
        long bytes;
        try {
            bytes = retainedBytes(roots);
        } catch (RuntimeException | LinkageError e) {
            bytes = -1;
        }
        int classes;
        try {
            classes = ownClasses();
        } catch (RuntimeException e) {
            classes = -1;
        }
        return new AgentFootprint(bytes, classes, epochMillis);
    }

    /** The bytes of everything reachable from the roots (and the agent's statics) the way the class comment says. */
    public long retainedBytes(Object... roots) {
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>(4096);
        ArrayDeque<Object> pending = new ArrayDeque<>(1024);
        for (Object root : roots) {
            push(root, seen, pending);
        }
        if (instrumentation != null) {
            for (Class<?> c : instrumentation.getAllLoadedClasses()) {
                if (staticsWalked(c)) {
                    pushStatics(c, seen, pending);
                }
            }
        }
        long total = 0;
        int visited = 0;
        while (!pending.isEmpty() && visited++ < MAX_OBJECTS) {
            total += visit(pending.pop(), seen, pending);
        }
        return total;
    }

    private long visit(Object o, IdentityHashMap<Object, Boolean> seen, ArrayDeque<Object> pending) {
        Class<?> c = o.getClass();
        long size = sizeOf(o);
        if (c.isArray()) {
            if (!c.getComponentType().isPrimitive()) {
                Object[] array = (Object[]) o;
                for (Object element : array) {
                    push(element, seen, pending);
                }
            }
        } else if (own(c)) {
            for (Field f : referenceFields(c)) {
                try {
                    push(f.get(o), seen, pending);
                } catch (IllegalAccessException | RuntimeException e) {
                    // skipped field
                }
            }
        } else if (o instanceof java.nio.ByteBuffer b) {
            if (b.hasArray()) {
                push(b.array(), seen, pending);
            }
        } else if (o instanceof String s) {
            // Its value array (Latin-1 for the agent's ASCII strings) cannot be reached without opening java.lang.
            size += align(16 + s.length());
        } else if (o instanceof Collection<?> collection) {
            try {
                int n = collection.size();
                size += o instanceof java.util.Set<?> ? align(16 + 4L * tableSlots(n)) + 32L * n : align(16 + 4L * n);
                for (Object element : collection) {
                    push(element, seen, pending);
                }
            } catch (RuntimeException e) {
                // a collection changed under us (another thread's): what was seen counts
            }
        } else if (o instanceof Map<?, ?> map) {
            try {
                int n = map.size();
                size += align(16 + 4L * tableSlots(n)) + 32L * n;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    push(e.getKey(), seen, pending);
                    push(e.getValue(), seen, pending);
                }
            } catch (RuntimeException e) {
                // as above
            }
        }
        return size;
    }

    /** A hash table's slots for n entries at the default load factor (0.75): the next power of two. */
    private static long tableSlots(int n) {
        if (n == 0) {
            return 0;
        }
        long wanted = (long) n * 4 / 3 + 1;
        return Long.highestOneBit(wanted - 1) << 1;
    }

    private static void push(Object o, IdentityHashMap<Object, Boolean> seen, ArrayDeque<Object> pending) {
        if (o == null || notCounted(o)) {
            return;
        }
        if (seen.put(o, Boolean.TRUE) == null) {
            pending.push(o);
        }
    }

    /** Objects of the JVM, not of the agent, even when the agent refers to them. */
    private static boolean notCounted(Object o) {
        return o instanceof Class<?> || o instanceof ClassLoader || o instanceof Thread || o instanceof Module
                || o instanceof Enum<?> || o instanceof Instrumentation || o instanceof java.lang.ref.Reference<?>;
    }

    /**
     * Reading a static field initialises its class, so only the agent's own code is read, never a
     * shaded library's (Byte Buddy must stay untouched until there is something to instrument) nor
     * the classes that link to optional libraries (Micrometer, JFR), whose failed initialisation
     * would disable them for good. The shaded libraries' objects the agent uses are still reached
     * through the agent's fields.
     */
    private static boolean staticsWalked(Class<?> c) {
        String name = c.getName();
        return agentClass(c) && !c.isArray() && !name.startsWith("dev.headroom.shaded.")
                && !name.startsWith("dev.headroom.publish.micrometer.") && !name.startsWith("dev.headroom.publish.jfr.");
    }

    private void pushStatics(Class<?> c, IdentityHashMap<Object, Boolean> seen, ArrayDeque<Object> pending) {
        Field[] declared;
        try {
            declared = c.getDeclaredFields();
        } catch (RuntimeException | LinkageError e) {
            return;
        }
        for (Field f : declared) {
            if (Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive()) {
                try {
                    f.setAccessible(true);
                    push(f.get(null), seen, pending);
                } catch (IllegalAccessException | RuntimeException | LinkageError e) {
                    // an uninitialised class (reading would not initialise it: get() on a static does) or a closed field
                }
            }
        }
    }

    // Not cached: a cache of Field objects would be the largest thing the agent holds (measured
    // 50 KiB in a heap dump); once a minute, finding them again is cheap.
    private static List<Field> referenceFields(Class<?> c) {
        List<Field> found = new ArrayList<>();
        for (Class<?> k = c; k != null && own(k); k = k.getSuperclass()) {
            try {
                for (Field f : k.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive()) {
                        f.setAccessible(true);
                        found.add(f);
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                // a class whose field types cannot be loaded (Micrometer absent): its fields are not walked
            }
        }
        return found;
    }

    private long sizeOf(Object o) {
        if (instrumentation != null) {
            return instrumentation.getObjectSize(o);
        }
        Class<?> c = o.getClass();
        if (c.isArray()) {
            Class<?> t = c.getComponentType();
            int n = Array.getLength(o);
            int each = !t.isPrimitive() ? 4 : t == long.class || t == double.class ? 8
                    : t == int.class || t == float.class ? 4 : t == short.class || t == char.class ? 2 : 1;
            return align(16 + (long) n * each);
        }
        long size = 12;
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            Field[] declared;
            try {
                declared = k.getDeclaredFields();
            } catch (RuntimeException | LinkageError e) {
                continue;
            }
            for (Field f : declared) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Class<?> t = f.getType();
                size += !t.isPrimitive() ? 4 : t == long.class || t == double.class ? 8
                        : t == int.class || t == float.class ? 4 : t == short.class || t == char.class ? 2 : 1;
            }
        }
        return align(size);
    }

    private static boolean own(Class<?> c) {
        return agentClass(c);
    }

    /**
     * Whether a class is the agent's: named under {@link #OWN_PREFIX} and loaded from the agent's
     * own jar. The name alone is not enough: our sample apps live under {@code dev.headroom.samples},
     * and the walk took {@code HeapGrowth}'s static list of leaked orders for the agent's, reporting
     * the agent at 3–10 MB in the heap-growth runs (found in the dump benchmark's event logs).
     */
    static boolean agentClass(Class<?> c) {
        if (!c.getName().startsWith(OWN_PREFIX)) {
            return false;
        }
        // Compared as text: URL.equals may resolve host names.
        String from = location(c);
        return OWN_LOCATION == null ? from == null : OWN_LOCATION.equals(from);
    }

    private static String location(Class<?> c) {
        try {
            java.security.CodeSource source = c.getProtectionDomain().getCodeSource();
            URL url = source == null ? null : source.getLocation();
            return url == null ? null : url.toExternalForm();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static long align(long bytes) {
        return (bytes + 7) & ~7L;
    }
}
