package dev.headroom.reconcile;

import dev.headroom.sense.Snapshot;
import dev.headroom.sense.jvm.JvmMemory;
import dev.headroom.sense.jvm.MemoryPoolUsage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.headroom.reconcile.PartCatalogue.*;

/**
 * Collects a run's peaks, one reconciled sample at a time, for the measured budget. The agent
 * feeds it every tick; {@code recommend} and the HTML report feed it the samples of an event log
 * or flight file, so all three measure the same way.
 *
 * <p>The non-heap parts are the breakdown's parts other than the heap (and the agent's share of
 * it), leaving out what the kernel reclaims before it kills (active page cache; file pages of
 * mappings). Thread stacks are counted by what is resident, not by what is reserved: without NMT
 * the breakdown can only say threads x {@code -Xss}, and the JVM-tracked memory then exceeds the
 * process's resident memory by the stack pages never touched ("committed but not resident"), so
 * that excess is taken off the stacks first. NMT counts stacks by their resident pages itself.
 *
 * <p>Non-heap is budgeted as the sum of each part's own peak, not as the peak of the sum: without
 * NMT a part is only visible at the moments the heap's committed pages are all resident (while some
 * are untouched, the "committed but not resident" correction hides native memory the JVM does not
 * track), so a part's peak is found at its own moment. The sum of peaks may count two parts that
 * peaked at different times together; for a budget that errs the safe way.
 *
 * <p>One feeder; synchronized so that the exit hook can read the final peaks while a tick runs. Bounded: one entry per part id, which the reconciler keeps to a
 * fixed set.
 */
public final class SizingPeaks {

    private static final int MAX_PARTS = 64;

    private long fromMillis = -1;
    private long toMillis = -1;
    private long samples;
    private long limit = -1;
    private long maxHeap = -1;
    private long heapCommittedPeak = -1;
    private long heapAfterGcPeak = -1;
    private long workingSetPeak = -1;
    private long workingSetPeakMillis = -1;
    /** The sum of the parts' peaks, kept up to date as each rises. */
    private long nonHeapPeak;
    private long nonHeapPeakMillis = -1;
    private int threadsPeak = -1;
    private final Map<String, PeakPartBuilder> parts = new HashMap<>();

    /**
     * A live reading. Only a limit someone set counts: without one the snapshot's limit is host
     * memory, which leaves no ceiling to speak of.
     *
     * @param heapMaxBytes the MaxHeapSize flag where known (the MXBean's max is a survivor space smaller)
     */
    public void add(Snapshot s, Breakdown b, long heapMaxBytes) {
        JvmMemory jvm = s.jvm();
        add(b.epochMillis(), b.workingSetBytes(), s.limited() ? s.limitBytes() : -1, heapMaxBytes, heapAfterGc(jvm),
                jvm == null ? -1 : jvm.threadCount(), b.parts());
    }

    /**
     * One sample.
     *
     * @param limitBytes       the limit at that moment, {@code -1} without one
     * @param heapMaxBytes     the max heap, {@code -1} unknown
     * @param heapAfterGcBytes the heap's level after the last collection, {@code -1} unknown
     * @param threads          live threads, {@code -1} unknown
     * @param breakdown        the parts of the working set at that moment
     */
    public synchronized void add(long epochMillis, long workingSetBytes, long limitBytes, long heapMaxBytes, long heapAfterGcBytes,
                    int threads, List<Part> breakdown) {
        if (workingSetBytes < 0) {
            return;
        }
        if (fromMillis < 0) {
            fromMillis = epochMillis;
        }
        toMillis = Math.max(toMillis, epochMillis);
        samples++;
        limit = limitBytes;
        maxHeap = Math.max(maxHeap, heapMaxBytes);
        heapAfterGcPeak = Math.max(heapAfterGcPeak, heapAfterGcBytes);
        threadsPeak = Math.max(threadsPeak, threads);
        if (workingSetBytes > workingSetPeak) {
            workingSetPeak = workingSetBytes;
            workingSetPeakMillis = epochMillis;
        }

        long heap = -1;
        long notResident = 0;
        boolean nmt = false;
        for (int i = 0; i < breakdown.size(); i++) {
            Part p = breakdown.get(i);
            String id = p.id();
            if (id.equals(HEAP) || id.equals(NMT_PREFIX + "javaHeap") || id.equals(AGENT)) {
                heap = Math.max(0, heap) + p.bytes();
            } else if (id.equals(COMMITTED_NOT_RESIDENT)) {
                notResident += p.bytes();
            } else if (id.startsWith(NMT_PREFIX)) {
                nmt = true;
            }
        }
        heapCommittedPeak = Math.max(heapCommittedPeak, heap);
        // The JVM tracked more than is resident: untouched stack pages first (see the class comment).
        long untouched = nmt ? 0 : Math.max(0, -notResident);

        for (int i = 0; i < breakdown.size(); i++) {
            Part p = breakdown.get(i);
            String id = p.id();
            if (!countsAsNonHeap(id)) {
                continue;
            }
            long bytes = p.bytes();
            String label = p.label();
            if (id.equals(THREAD_STACKS)) {
                bytes = Math.max(0, bytes - untouched);
                label = "Thread stacks (resident)";
            }
            if (bytes <= 0) {
                continue;
            }
            PeakPartBuilder peak = parts.get(id);
            if (peak == null && parts.size() < MAX_PARTS) {
                peak = new PeakPartBuilder(id, label);
                parts.put(id, peak);
            }
            if (peak != null && bytes > peak.bytes) {
                nonHeapPeak += bytes - Math.max(0, peak.bytes);
                nonHeapPeakMillis = epochMillis;
                peak.bytes = bytes;
                peak.millis = epochMillis;
            }
        }
    }

    /**
     * The heap's level right after the last collection: the sum of the heap pools' collection usage
     * ({@code MemoryPoolMXBean.getCollectionUsage}), the live data without the GC's sawtooth;
     * {@code -1} before any collection or when no pool reports it.
     */
    public static long heapAfterGc(JvmMemory jvm) {
        if (jvm == null) {
            return -1;
        }
        long sum = -1;
        List<MemoryPoolUsage> pools = jvm.pools();
        for (int i = 0; i < pools.size(); i++) {
            MemoryPoolUsage pool = pools.get(i);
            if (pool != null && pool.heap() && pool.usedAfterGc() >= 0) {
                sum = Math.max(0, sum) + pool.usedAfterGc();
            }
        }
        return sum;
    }

    /** Whether a part id is memory the kernel cannot take back short of a kill, outside the heap. */
    static boolean countsAsNonHeap(String id) {
        return switch (id) {
            case HEAP, "nmt.javaHeap", AGENT, HEAP_UNTOUCHED, COMMITTED_NOT_RESIDENT, ACTIVE_PAGE_CACHE, MAPPED_FILES -> false;
            default -> true;
        };
    }

    public synchronized long samples() {
        return samples;
    }

    public synchronized long fromMillis() {
        return fromMillis;
    }

    public synchronized long toMillis() {
        return toMillis;
    }

    public synchronized long workingSetPeakBytes() {
        return workingSetPeak;
    }

    public synchronized long nonHeapPeakBytes() {
        return nonHeapPeak;
    }

    public synchronized long heapCommittedPeakBytes() {
        return heapCommittedPeak;
    }

    /** The budget so far; {@code null} before the first sample. */
    public synchronized MeasuredBudget budget() {
        if (samples == 0) {
            return null;
        }
        List<MeasuredBudget.PeakPart> list = new ArrayList<>(parts.size());
        for (PeakPartBuilder p : parts.values()) {
            list.add(new MeasuredBudget.PeakPart(p.id, p.label, p.bytes, p.millis));
        }
        list.sort((a, b) -> a.bytes() != b.bytes() ? Long.compare(b.bytes(), a.bytes()) : a.id().compareTo(b.id()));
        long nonHeap = Math.max(0, nonHeapPeak);
        return new MeasuredBudget(fromMillis, toMillis, samples, limit, maxHeap, heapCommittedPeak, heapAfterGcPeak,
                workingSetPeak, workingSetPeakMillis, nonHeap, nonHeapPeakMillis, threadsPeak, list,
                new HeapCeiling(limit, nonHeap, HeapCeiling.MEASURED));
    }

    private static final class PeakPartBuilder {
        final String id;
        final String label;
        long bytes = -1;
        long millis = -1;

        PeakPartBuilder(String id, String label) {
            this.id = id;
            this.label = label;
        }
    }
}
