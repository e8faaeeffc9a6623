package dev.headroom.act;

import java.nio.file.Path;

/**
 * What one heap dump attempt did.
 *
 * @param status DONE, SKIPPED (a safety check said no) or FAILED
 * @param path   the dump file when DONE, else {@code null}
 * @param bytes  its size, {@code -1} unless DONE
 * @param millis how long the dump took (the JVM is stopped at a safepoint for all of it), {@code -1} unless tried
 * @param reason why it was skipped or failed; {@code null} when DONE
 */
public record HeapDumpResult(EvidenceStatus status, Path path, long bytes, long millis, String reason) {

    static HeapDumpResult skipped(String reason) {
        return new HeapDumpResult(EvidenceStatus.SKIPPED, null, -1, -1, reason);
    }

    static HeapDumpResult failed(long millis, String reason) {
        return new HeapDumpResult(EvidenceStatus.FAILED, null, -1, millis, reason);
    }
}
