package dev.headroom.it;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads an HPROF heap dump to its end record, as a heap analyser would: proof that the dump is
 * complete (a dump cut short by a kill fails here) and which classes it holds how many of.
 * Format: the JDK's {@code hprof} binary format (header "JAVA PROFILE 1.0.2", records of tag, time,
 * length; heap dump segments holding sub-records).
 */
final class Hprof {

    /** What the walk found. */
    record Summary(boolean endRecordSeen, long records, Map<String, Long> instancesByClass) {
        long instances(String className) {
            return instancesByClass.getOrDefault(className, 0L);
        }
    }

    private static final int STRING = 0x01;
    private static final int LOAD_CLASS = 0x02;
    private static final int HEAP_DUMP = 0x0C;
    private static final int HEAP_DUMP_SEGMENT = 0x1C;
    private static final int HEAP_DUMP_END = 0x2C;

    private Hprof() {
    }

    static Summary read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            StringBuilder header = new StringBuilder();
            for (int c; (c = in.read()) != 0; ) {
                if (c < 0) {
                    throw new EOFException("no header");
                }
                header.append((char) c);
            }
            if (!header.toString().startsWith("JAVA PROFILE 1.0")) {
                throw new IOException("not an HPROF file: " + header);
            }
            int idSize = in.readInt();
            in.readLong(); // time stamp
            Map<Long, String> strings = new HashMap<>();
            Map<Long, String> classNames = new HashMap<>();
            Map<Long, Long> instanceCounts = new HashMap<>();
            boolean end = false;
            long records = 0;
            while (true) {
                int tag = in.read();
                if (tag < 0) {
                    break;
                }
                if (end) {
                    throw new IOException("records after HEAP_DUMP_END");
                }
                in.readInt(); // time offset
                long length = Integer.toUnsignedLong(in.readInt());
                records++;
                switch (tag) {
                    case STRING -> {
                        long id = readId(in, idSize);
                        byte[] utf8 = new byte[(int) (length - idSize)];
                        in.readFully(utf8);
                        strings.put(id, new String(utf8, java.nio.charset.StandardCharsets.UTF_8));
                    }
                    case LOAD_CLASS -> {
                        in.readInt();
                        long classId = readId(in, idSize);
                        in.readInt();
                        long nameId = readId(in, idSize);
                        classNames.put(classId, strings.getOrDefault(nameId, "?"));
                    }
                    case HEAP_DUMP, HEAP_DUMP_SEGMENT -> heapDump(in, length, idSize, instanceCounts);
                    case HEAP_DUMP_END -> end = true;
                    default -> skip(in, length);
                }
            }
            Map<String, Long> byName = new HashMap<>();
            instanceCounts.forEach((cls, n) -> byName.merge(classNames.getOrDefault(cls, "?").replace('/', '.'), n, Long::sum));
            return new Summary(end, records, byName);
        }
    }

    private static void heapDump(DataInputStream in, long length, int idSize, Map<Long, Long> counts) throws IOException {
        long read = 0;
        while (read < length) {
            int sub = in.readUnsignedByte();
            read += 1;
            read += switch (sub) {
                case 0xFF, 0x05, 0x07 -> skip(in, idSize);
                case 0x01 -> skip(in, 2L * idSize);
                case 0x02, 0x03, 0x08 -> skip(in, idSize + 8L);
                case 0x04, 0x06 -> skip(in, idSize + 4L);
                case 0x20 -> classDump(in, idSize);
                case 0x21 -> {
                    readId(in, idSize);
                    in.readInt();
                    long classId = readId(in, idSize);
                    int bytes = in.readInt();
                    skip(in, bytes);
                    counts.merge(classId, 1L, Long::sum);
                    yield 2L * idSize + 8 + bytes;
                }
                case 0x22 -> {
                    readId(in, idSize);
                    in.readInt();
                    int n = in.readInt();
                    readId(in, idSize);
                    skip(in, (long) n * idSize);
                    yield 2L * idSize + 8 + (long) n * idSize;
                }
                case 0x23 -> {
                    readId(in, idSize);
                    in.readInt();
                    int n = in.readInt();
                    int type = in.readUnsignedByte();
                    long bytes = (long) n * basicSize(type, idSize);
                    skip(in, bytes);
                    yield idSize + 9 + bytes;
                }
                default -> throw new IOException("unknown heap dump sub-record 0x" + Integer.toHexString(sub));
            };
        }
        if (read != length) {
            throw new IOException("heap dump segment overran its length: " + read + " > " + length);
        }
    }

    private static long classDump(DataInputStream in, int idSize) throws IOException {
        long n = 0;
        n += skip(in, idSize + 4L + 6L * idSize + 4);
        int constants = in.readUnsignedShort();
        n += 2;
        for (int i = 0; i < constants; i++) {
            in.readUnsignedShort();
            int type = in.readUnsignedByte();
            n += 3 + skip(in, basicSize(type, idSize));
        }
        int statics = in.readUnsignedShort();
        n += 2;
        for (int i = 0; i < statics; i++) {
            readId(in, idSize);
            int type = in.readUnsignedByte();
            n += idSize + 1 + skip(in, basicSize(type, idSize));
        }
        int fields = in.readUnsignedShort();
        n += 2 + skip(in, (long) fields * (idSize + 1));
        return n;
    }

    private static int basicSize(int type, int idSize) throws IOException {
        return switch (type) {
            case 2 -> idSize;      // object
            case 4, 8 -> 1;        // boolean, byte
            case 5, 9 -> 2;        // char, short
            case 6, 10 -> 4;       // float, int
            case 7, 11 -> 8;       // double, long
            default -> throw new IOException("unknown basic type " + type);
        };
    }

    private static long readId(DataInputStream in, int idSize) throws IOException {
        return idSize == 8 ? in.readLong() : Integer.toUnsignedLong(in.readInt());
    }

    private static long skip(DataInputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("cut short");
                }
                s = 1;
            }
            left -= s;
        }
        return n;
    }
}
