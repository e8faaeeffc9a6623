package dev.headroom.benchmarks;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's retained heap, measured in a heap dump the way a heap analyser defines it: the
 * objects that would become unreachable if the agent's objects were gone. Computed as everything
 * reachable from the GC roots, minus what is still reachable when the agent's objects (instances
 * of {@code dev.headroom.*} classes, those classes' static fields, and the agent's own threads with
 * their stacks and thread-locals) are taken out of the graph. This is the check of the figure the
 * agent reports about itself ({@code agentHeapBytes}), which it computes by walking its own objects.
 *
 * <p>Sizes assume compressed oops and class pointers (heaps below 32 GiB): an instance is 12 bytes of
 * header plus its fields (4 per reference), an array 16 plus its elements, aligned to 8.
 *
 * <p>Usage: {@code HeapDumpFootprint <file.hprof>}; prints {@code retainedBytes=N objects=N} and the
 * largest classes in the retained set.
 */
public final class HeapDumpFootprint {

    private static final String OWN = "dev.headroom.";

    private int idSize;
    private final Map<Long, String> strings = new HashMap<>();
    private final Map<Long, String> classNames = new HashMap<>();
    private final Map<Long, ClassInfo> classes = new HashMap<>();
    /** Every object but classes: id to its class (or, for arrays, the array class or a primitive marker). */
    private final Map<Long, Obj> objects = new HashMap<>();
    private final List<long[]> roots = new ArrayList<>(); // {objectId, threadSerial or -1}
    private final Map<Integer, Long> threadObjects = new HashMap<>();

    private record ClassInfo(long id, long superId, long loader, byte[] fieldTypes, long[] staticRefs) {
    }

    private static final class Obj {
        final long classId;      // for instances and object arrays; 0 for primitive arrays
        final byte[] data;       // instance field bytes, null for arrays
        final long[] elements;   // object array elements
        final long size;
        final String primitiveName;

        Obj(long classId, byte[] data, long[] elements, long size, String primitiveName) {
            this.classId = classId;
            this.data = data;
            this.elements = elements;
            this.size = size;
            this.primitiveName = primitiveName;
        }
    }

    public static void main(String[] args) throws IOException {
        Result r = measure(Path.of(args[0]));
        System.out.println("retainedBytes=" + r.retainedBytes + " objects=" + r.objects);
        if (args.length > 1) {
            HeapDumpFootprint d = new HeapDumpFootprint();
            d.read(Path.of(args[0]));
            d.referrers(Long.parseLong(args[1]));
        }
        r.byClass.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(25)
                .forEach(e -> System.out.printf("  %10d  %s%n", e.getValue(), e.getKey()));
    }

    /** What the agent retains in this dump. */
    public record Result(long retainedBytes, long objects, Map<String, Long> byClass) {
    }

    public static Result measure(Path hprof) throws IOException {
        HeapDumpFootprint d = new HeapDumpFootprint();
        d.read(hprof);
        return d.retained();
    }

    private Result retained() {
        Set<Long> all = reach(false);
        Set<Long> withoutAgent = reach(true);
        long bytes = 0;
        long count = 0;
        Map<String, Long> byClass = new HashMap<>();
        for (long id : all) {
            if (withoutAgent.contains(id)) {
                continue;
            }
            Obj o = objects.get(id);
            if (o == null) {
                continue; // a class object: the JVM's, not counted (as the agent does not count them)
            }
            bytes += o.size;
            count++;
            byClass.merge(typeName(o), o.size, Long::sum);
        }
        return new Result(bytes, count, byClass);
    }

    /** Debugging aid: the referrers' classes of retained objects of at least minSize bytes. */
    private void referrers(long minSize) {
        Set<Long> all = reach(false);
        Set<Long> without = reach(true);
        Map<Long, List<Long>> back = new HashMap<>();
        for (long id : all) {
            Obj o = objects.get(id);
            if (o == null) {
                continue;
            }
            List<Long> out = o.elements != null ? java.util.Arrays.stream(o.elements).boxed().toList()
                    : o.data != null && o.primitiveName == null ? refs(o) : List.of();
            for (long t : out) {
                back.computeIfAbsent(t, k -> new ArrayList<>()).add(id);
            }
        }
        for (long id : all) {
            Obj o = objects.get(id);
            if (o == null || without.contains(id) || o.size < minSize) {
                continue;
            }
            StringBuilder path = new StringBuilder(typeName(o) + " " + o.size);
            long cur = id;
            for (int depth = 0; depth < 6; depth++) {
                List<Long> from = back.get(cur);
                if (from == null || from.isEmpty()) {
                    break;
                }
                cur = from.get(0);
                Obj r = objects.get(cur);
                path.append(" <- ").append(r == null ? "class " + classNames.get(cur) : typeName(r));
            }
            System.out.println(path);
        }
    }

    private String typeName(Obj o) {
        return o.primitiveName != null ? o.primitiveName : classNames.getOrDefault(o.classId, "?");
    }

    private Set<Integer> agentThreadSerials() {
        Set<Integer> serials = new HashSet<>();
        for (Map.Entry<Integer, Long> e : threadObjects.entrySet()) {
            String name = threadName(e.getValue());
            if (name != null && name.startsWith("headroom")) {
                serials.add(e.getKey());
            }
        }
        return serials;
    }

    private String threadName(long threadId) {
        Obj thread = objects.get(threadId);
        if (thread == null) {
            return null;
        }
        Long nameId = refField(thread, "name");
        Obj name = nameId == null ? null : objects.get(nameId);
        if (name == null) {
            return null;
        }
        Long valueId = refField(name, "value");
        Obj value = valueId == null ? null : objects.get(valueId);
        return value == null || value.data == null ? null : new String(value.data, StandardCharsets.ISO_8859_1);
    }

    private boolean agentBlocked(long id, Set<Long> agentThreads) {
        Obj o = objects.get(id);
        if (o != null) {
            if (agentThreads.contains(id)) {
                return true;
            }
            return o.primitiveName == null && classNames.getOrDefault(o.classId, "").startsWith(OWN)
                    && o.elements == null;
        }
        ClassInfo c = classes.get(id);
        return c != null && classNames.getOrDefault(id, "").startsWith(OWN);
    }

    private Set<Long> reach(boolean withoutAgent) {
        Set<Integer> agentSerials = withoutAgent ? agentThreadSerials() : Set.of();
        Set<Long> agentThreads = new HashSet<>();
        for (int serial : agentSerials) {
            agentThreads.add(threadObjects.get(serial));
        }
        Set<Long> seen = new HashSet<>();
        ArrayDeque<Long> pending = new ArrayDeque<>();
        for (long[] root : roots) {
            if (withoutAgent && root[1] >= 0 && agentSerials.contains((int) root[1])) {
                continue; // a local of the agent's own thread
            }
            offer(root[0], seen, pending, withoutAgent, agentThreads);
        }
        while (!pending.isEmpty()) {
            long id = pending.pop();
            Obj o = objects.get(id);
            if (o != null) {
                offer(o.classId, seen, pending, withoutAgent, agentThreads);
                if (o.elements != null) {
                    for (long e : o.elements) {
                        offer(e, seen, pending, withoutAgent, agentThreads);
                    }
                } else if (o.data != null && o.primitiveName == null) {
                    for (long ref : refs(o)) {
                        offer(ref, seen, pending, withoutAgent, agentThreads);
                    }
                }
                continue;
            }
            ClassInfo c = classes.get(id);
            if (c != null) {
                offer(c.superId, seen, pending, withoutAgent, agentThreads);
                offer(c.loader, seen, pending, withoutAgent, agentThreads);
                for (long s : c.staticRefs) {
                    offer(s, seen, pending, withoutAgent, agentThreads);
                }
            }
        }
        return seen;
    }

    private void offer(long id, Set<Long> seen, ArrayDeque<Long> pending, boolean withoutAgent, Set<Long> agentThreads) {
        if (id == 0 || (withoutAgent && agentBlocked(id, agentThreads))) {
            return;
        }
        if (seen.add(id)) {
            pending.push(id);
        }
    }

    /** The reference fields of an instance, walking its class and superclasses in dump order. */
    private List<Long> refs(Obj o) {
        List<Long> out = new ArrayList<>();
        int pos = 0;
        for (ClassInfo c = classes.get(o.classId); c != null; c = classes.get(c.superId)) {
            for (byte type : c.fieldTypes) {
                if (type == 2) {
                    out.add(readId(o.data, pos));
                }
                pos += size(type);
            }
        }
        return out;
    }

    private Long refField(Obj o, String field) {
        int pos = 0;
        for (ClassInfo c = classes.get(o.classId); c != null; c = classes.get(c.superId)) {
            String[] names = fieldNames.get(c.id);
            for (int i = 0; i < c.fieldTypes.length; i++) {
                byte type = c.fieldTypes[i];
                if (type == 2 && names != null && field.equals(names[i])) {
                    return readId(o.data, pos);
                }
                pos += size(type);
            }
        }
        return null;
    }

    private final Map<Long, String[]> fieldNames = new HashMap<>();

    private long readId(byte[] data, int pos) {
        long v = 0;
        for (int i = 0; i < idSize; i++) {
            v = (v << 8) | (data[pos + i] & 0xff);
        }
        return v;
    }

    private int size(int type) {
        return switch (type) {
            case 2 -> idSize;
            case 4, 8 -> 1;
            case 5, 9 -> 2;
            case 6, 10 -> 4;
            case 7, 11 -> 8;
            default -> throw new IllegalStateException("type " + type);
        };
    }

    /** Bytes in the heap with compressed references. */
    private static int heapSize(int type) {
        return switch (type) {
            case 2 -> 4;
            case 4, 8 -> 1;
            case 5, 9 -> 2;
            case 6, 10 -> 4;
            case 7, 11 -> 8;
            default -> 0;
        };
    }

    private static long align(long n) {
        return (n + 7) & ~7L;
    }

    private void read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (int c; (c = in.read()) != 0; ) {
                if (c < 0) {
                    throw new EOFException("no header");
                }
            }
            idSize = in.readInt();
            in.readLong();
            while (true) {
                int tag = in.read();
                if (tag < 0) {
                    break;
                }
                in.readInt();
                long length = Integer.toUnsignedLong(in.readInt());
                switch (tag) {
                    case 0x01 -> {
                        long id = id(in);
                        byte[] utf8 = new byte[(int) (length - idSize)];
                        in.readFully(utf8);
                        strings.put(id, new String(utf8, StandardCharsets.UTF_8));
                    }
                    case 0x02 -> {
                        in.readInt();
                        long classId = id(in);
                        in.readInt();
                        classNames.put(classId, strings.getOrDefault(id(in), "?").replace('/', '.'));
                    }
                    case 0x0C, 0x1C -> heap(in, length);
                    default -> in.skipNBytes(length);
                }
            }
        }
        // Instance sizes need every class's fields, which may come after the instances.
        for (Map.Entry<Long, Obj> e : objects.entrySet()) {
            Obj o = e.getValue();
            if (o.data != null && o.primitiveName == null && o.size < 0) {
                e.setValue(new Obj(o.classId, o.data, null, instanceSize(o.classId), null));
            }
        }
    }

    private long instanceSize(long classId) {
        long bytes = 12;
        for (ClassInfo c = classes.get(classId); c != null; c = classes.get(c.superId)) {
            for (byte type : c.fieldTypes) {
                bytes += heapSize(type);
            }
        }
        return align(bytes);
    }

    private long id(DataInputStream in) throws IOException {
        return idSize == 8 ? in.readLong() : Integer.toUnsignedLong(in.readInt());
    }

    private void heap(DataInputStream in, long length) throws IOException {
        long end = length;
        long read = 0;
        while (read < end) {
            int sub = in.readUnsignedByte();
            read += 1;
            switch (sub) {
                case 0xFF, 0x05, 0x07 -> {
                    roots.add(new long[] {id(in), -1});
                    read += idSize;
                }
                case 0x01 -> {
                    roots.add(new long[] {id(in), -1});
                    id(in);
                    read += 2L * idSize;
                }
                case 0x02, 0x03 -> {
                    long id = id(in);
                    int thread = in.readInt();
                    in.readInt();
                    roots.add(new long[] {id, thread});
                    read += idSize + 8;
                }
                case 0x04, 0x06 -> {
                    long id = id(in);
                    int thread = in.readInt();
                    roots.add(new long[] {id, thread});
                    read += idSize + 4;
                }
                case 0x08 -> {
                    long id = id(in);
                    int thread = in.readInt();
                    in.readInt();
                    roots.add(new long[] {id, -1});
                    threadObjects.put(thread, id);
                    read += idSize + 8;
                }
                case 0x20 -> read += classDump(in);
                case 0x21 -> {
                    long id = id(in);
                    in.readInt();
                    long classId = id(in);
                    int n = in.readInt();
                    byte[] data = new byte[n];
                    in.readFully(data);
                    objects.put(id, new Obj(classId, data, null, -1, null));
                    read += 2L * idSize + 8 + n;
                }
                case 0x22 -> {
                    long id = id(in);
                    in.readInt();
                    int n = in.readInt();
                    long arrayClass = id(in);
                    long[] elements = new long[n];
                    for (int i = 0; i < n; i++) {
                        elements[i] = id(in);
                    }
                    objects.put(id, new Obj(arrayClass, null, elements, align(16 + 4L * n), null));
                    read += 2L * idSize + 8 + (long) n * idSize;
                }
                case 0x23 -> {
                    long id = id(in);
                    in.readInt();
                    int n = in.readInt();
                    int type = in.readUnsignedByte();
                    int bytes = n * size(type);
                    byte[] data = null;
                    if (type == 8 && n <= 256) {
                        data = new byte[bytes]; // kept for thread names
                        in.readFully(data);
                    } else {
                        in.skipNBytes(bytes);
                    }
                    objects.put(id, new Obj(0, data, null, align(16 + (long) bytes), primitiveName(type)));
                    read += idSize + 9 + bytes;
                }
                default -> throw new IOException("unknown heap dump sub-record 0x" + Integer.toHexString(sub));
            }
        }
    }

    private static String primitiveName(int type) {
        return switch (type) {
            case 4 -> "boolean[]";
            case 5 -> "char[]";
            case 6 -> "float[]";
            case 7 -> "double[]";
            case 8 -> "byte[]";
            case 9 -> "short[]";
            case 10 -> "int[]";
            case 11 -> "long[]";
            default -> "?[]";
        };
    }

    private long classDump(DataInputStream in) throws IOException {
        long read = 0;
        long id = id(in);
        in.readInt();
        long superId = id(in);
        long loader = id(in);
        id(in);
        id(in);
        id(in);
        id(in);
        in.readInt();
        read += 7L * idSize + 8;
        int constants = in.readUnsignedShort();
        read += 2;
        for (int i = 0; i < constants; i++) {
            in.readUnsignedShort();
            int type = in.readUnsignedByte();
            in.skipNBytes(size(type));
            read += 3 + size(type);
        }
        int statics = in.readUnsignedShort();
        read += 2;
        List<Long> staticRefs = new ArrayList<>();
        for (int i = 0; i < statics; i++) {
            id(in);
            int type = in.readUnsignedByte();
            if (type == 2) {
                staticRefs.add(id(in));
            } else {
                in.skipNBytes(size(type));
            }
            read += idSize + 1 + size(type);
        }
        int fields = in.readUnsignedShort();
        read += 2;
        byte[] types = new byte[fields];
        String[] names = new String[fields];
        for (int i = 0; i < fields; i++) {
            names[i] = strings.get(id(in));
            types[i] = (byte) in.readUnsignedByte();
            read += idSize + 1;
        }
        long[] refs = new long[staticRefs.size()];
        for (int i = 0; i < refs.length; i++) {
            refs[i] = staticRefs.get(i);
        }
        classes.put(id, new ClassInfo(id, superId, loader, types, refs));
        fieldNames.put(id, names);
        return read + 1 - 1;
    }
}
