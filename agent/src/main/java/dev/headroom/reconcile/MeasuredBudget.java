package dev.headroom.reconcile;

import java.util.List;

/**
 * What the service really used: each part's peak over a run, and the heap ceiling the limit
 * implies once non-heap is taken at its measured peak. Made by {@link SizingPeaks#budget()}; the
 * {@code budget} event with {@code basis: "measured"}, the {@code headroom.heap.ceiling} meter, the
 * MBean and {@code recommend} all show this record. Bytes; {@code -1} where unknown.
 *
 * @param fromMillis             the first sample
 * @param toMillis               the last sample
 * @param samples                samples seen
 * @param limitBytes             the limit at the last sample, {@code -1} without one
 * @param maxHeapBytes           the largest max heap seen ({@code -Xmx} as the JVM resolved it)
 * @param heapCommittedPeakBytes the heap's committed peak (the agent's own share included)
 * @param heapAfterGcPeakBytes   the heap's highest level right after a collection: the live data
 * @param workingSetPeakBytes    the working set's peak
 * @param workingSetPeakMillis   when it was
 * @param nonHeapPeakBytes       the non-heap parts, each at its own peak (reclaimable page cache left out)
 * @param nonHeapPeakMillis      when the last of those peaks was reached
 * @param threadsPeak            the most threads seen, {@code -1} unknown
 * @param parts                  each non-heap part's own peak, largest first
 * @param ceiling                limit less the non-heap peak
 */
public record MeasuredBudget(
        long fromMillis,
        long toMillis,
        long samples,
        long limitBytes,
        long maxHeapBytes,
        long heapCommittedPeakBytes,
        long heapAfterGcPeakBytes,
        long workingSetPeakBytes,
        long workingSetPeakMillis,
        long nonHeapPeakBytes,
        long nonHeapPeakMillis,
        int threadsPeak,
        List<PeakPart> parts,
        HeapCeiling ceiling) {

    public MeasuredBudget {
        parts = List.copyOf(parts);
    }

    /**
     * The larger of each peak of two measurements (of one run: the agent's budget event, made every
     * tick, and the event log's samples, which may run on past the last event; or of two runs), the
     * non-heap again the sum of the parts' peaks. {@code other} may be null.
     */
    public MeasuredBudget merge(MeasuredBudget other) {
        if (other == null) {
            return this;
        }
        java.util.Map<String, PeakPart> byId = new java.util.LinkedHashMap<>();
        for (PeakPart p : parts) {
            byId.put(p.id(), p);
        }
        for (PeakPart p : other.parts) {
            PeakPart mine = byId.get(p.id());
            if (mine == null || p.bytes() > mine.bytes()) {
                byId.put(p.id(), p);
            }
        }
        List<PeakPart> merged = new java.util.ArrayList<>(byId.values());
        merged.sort((a, b) -> a.bytes() != b.bytes() ? Long.compare(b.bytes(), a.bytes()) : a.id().compareTo(b.id()));
        boolean mineWs = workingSetPeakBytes >= other.workingSetPeakBytes;
        boolean mineNonHeap = nonHeapPeakBytes >= other.nonHeapPeakBytes;
        long sum = 0;
        for (PeakPart p : merged) {
            sum += p.bytes();
        }
        long nonHeap = Math.max(sum, Math.max(nonHeapPeakBytes, other.nonHeapPeakBytes));
        long limit = toMillis >= other.toMillis ? limitBytes : other.limitBytes;
        long from = fromMillis < 0 ? other.fromMillis : other.fromMillis < 0 ? fromMillis : Math.min(fromMillis, other.fromMillis);
        return new MeasuredBudget(from, Math.max(toMillis, other.toMillis),
                Math.max(samples, other.samples), limit, Math.max(maxHeapBytes, other.maxHeapBytes),
                Math.max(heapCommittedPeakBytes, other.heapCommittedPeakBytes),
                Math.max(heapAfterGcPeakBytes, other.heapAfterGcPeakBytes),
                mineWs ? workingSetPeakBytes : other.workingSetPeakBytes,
                mineWs ? workingSetPeakMillis : other.workingSetPeakMillis,
                nonHeap, mineNonHeap ? nonHeapPeakMillis : other.nonHeapPeakMillis,
                Math.max(threadsPeak, other.threadsPeak), merged, new HeapCeiling(limit, nonHeap, HeapCeiling.MEASURED));
    }

    /** Whether the heap at its max and non-heap at its peak fit the limit (true without a limit). */
    public boolean fits() {
        return limitBytes <= 0 || maxHeapBytes < 0 || maxHeapBytes + nonHeapPeakBytes <= limitBytes;
    }

    /** The peak of one part id, {@code -1} when it was never seen. */
    public long peak(String id) {
        for (PeakPart p : parts) {
            if (p.id().equals(id)) {
                return p.bytes();
            }
        }
        return -1;
    }

    /** One paragraph: the peaks that matter and the ceiling, in the words every output uses. */
    public String summary() {
        StringBuilder s = new StringBuilder(240);
        s.append("Measured over ").append(duration((toMillis - fromMillis) / 1000)).append(" (")
                .append(samples).append(samples == 1 ? " sample" : " samples").append("): working set peaked at ").append(mib(workingSetPeakBytes))
                .append(", non-heap at ").append(mib(nonHeapPeakBytes)).append(" (each part at its peak)");
        if (heapCommittedPeakBytes >= 0) {
            s.append(", heap committed at ").append(mib(heapCommittedPeakBytes));
            if (maxHeapBytes > 0) {
                s.append(" of ").append(mib(maxHeapBytes)).append(" max");
            }
        }
        if (heapAfterGcPeakBytes >= 0) {
            s.append(" (").append(mib(heapAfterGcPeakBytes)).append(" live after GC)");
        }
        s.append("; ").append(ceiling.words());
        if (limitBytes > 0 && maxHeapBytes > 0) {
            s.append(fits() ? ": the max heap fits" : ": the max heap does not fit, the limit would be reached before "
                    + "the heap is full");
        }
        return s.append('.').toString();
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "?" : HeapCeiling.ceilMib(bytes) + " MiB";
    }

    static String duration(long seconds) {
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 7200) {
            return seconds / 60 + " min " + seconds % 60 + " s";
        }
        return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
    }

    /**
     * One part's peak.
     *
     * @param id         the part id of the breakdown ({@code threadStacks} is the resident estimate)
     * @param label      for a person
     * @param bytes      the peak
     * @param peakMillis when
     */
    public record PeakPart(String id, String label, long bytes, long peakMillis) {
    }
}
