package dev.headroom.sense.jvm;

import java.util.List;

/** A parsed {@code VM.native_memory summary}. */
public record NmtSummary(long totalReservedBytes, long totalCommittedBytes, List<NmtCategory> categories) {

    public NmtSummary {
        categories = List.copyOf(categories);
    }
}
