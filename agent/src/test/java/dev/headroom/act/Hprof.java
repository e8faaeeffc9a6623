package dev.headroom.act;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal HPROF walker for tests: the header ("JAVA PROFILE 1.0.x\0", u4 identifier size, u8
 * milliseconds), then records (u1 tag, u4 microseconds since the header time, u4 body length, body)
 * to the end of the file. Throws when a record runs past the end, i.e. the file is truncated.
 */
final class Hprof {

    static final int HEAP_DUMP = 0x0C;
    static final int HEAP_DUMP_SEGMENT = 0x1C;
    static final int HEAP_DUMP_END = 0x2C;

    /** What the walk found. */
    record Walk(String version, int identifierSize, long records, int lastTag, boolean segmented, long heapRecords) {
    }

    private Hprof() {
    }

    static Walk walk(Path file) throws IOException {
        // A compressed dump (GC.heap_dump -gz) is walked through gzip: it must be as whole inside.
        try (InputStream raw = file.getFileName().toString().endsWith(".gz")
                ? new java.util.zip.GZIPInputStream(Files.newInputStream(file), 1 << 16) : Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            StringBuilder version = new StringBuilder();
            int c;
            while ((c = in.read()) != 0) {
                if (c < 0 || version.length() > 32) {
                    throw new IOException("no HPROF header");
                }
                version.append((char) c);
            }
            int idSize = in.readInt();
            in.readLong();
            long records = 0;
            long heapRecords = 0;
            int lastTag = -1;
            boolean segmented = false;
            while (true) {
                int tag = in.read();
                if (tag < 0) {
                    break;
                }
                in.readInt();
                long length = in.readInt() & 0xFFFFFFFFL;
                in.skipNBytes(length); // throws EOFException when the body is cut short
                records++;
                lastTag = tag;
                if (tag == HEAP_DUMP_SEGMENT) {
                    segmented = true;
                }
                if (tag == HEAP_DUMP || tag == HEAP_DUMP_SEGMENT) {
                    heapRecords++;
                }
            }
            return new Walk(version.toString(), idSize, records, lastTag, segmented, heapRecords);
        } catch (EOFException e) {
            throw new IOException("HPROF file " + file + " is truncated", e);
        }
    }

    static boolean startsWithHeader(Path file) throws IOException {
        byte[] head = new byte[18];
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, 18) == 18
                    && new String(head, StandardCharsets.US_ASCII).startsWith("JAVA PROFILE 1.0.");
        }
    }
}
