package dev.headroom.samples;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Direct buffers whose pages are touched, so they count in the working set (untouched pages do not). */
final class DirectMemory {

    private DirectMemory() {
    }

    static List<ByteBuffer> allocateTouched(long mib) {
        List<ByteBuffer> buffers = new ArrayList<>();
        for (long i = 0; i < mib; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(1024 * 1024);
            for (int p = 0; p < b.capacity(); p += 4096) {
                b.put(p, (byte) 1);
            }
            buffers.add(b);
        }
        return buffers;
    }
}
