package dev.headroom.reconcile;

import java.util.ArrayList;
import java.util.List;

/**
 * A memory limit and JVM flags that fit what one or more runs measured, each with the peak it
 * rests on. Pure arithmetic on {@link MeasuredBudget}s (several runs: each quantity's largest peak).
 *
 * <h2>The method</h2>
 * <pre>
 *   heap     = the max heap the runs had (they proved it works), or the committed peak when unknown
 *   caps     = MaxDirectMemorySize: direct peak / (1 - margin), at least 16 MiB
 *              ReservedCodeCacheSize: 2 x the code cache peak, at least 48 MiB, when below the reservation
 *   need     = heap + the non-heap peak + (each cap - its part's peak)
 *   limit    = need / (1 - margin), in whole MiB
 * </pre>
 * The non-heap peak is the sum of each non-heap part's own peak ({@link SizingPeaks}), over all
 * the runs. The caps are budgeted in full: a part
 * may grow to its cap, and the limit has room for that. With the default margin (20 %) the need is
 * at most 80 % of the limit, below the share at which Headroom warns (85 %), and the rest absorbs
 * what differs from run to run. {@code MALLOC_ARENA_MAX=2} is recommended only when native memory
 * the JVM does not track is a large part of the peak (beyond {@link #JVM_NATIVE_ALLOWANCE} without NMT): glibc gives each thread that mallocs
 * concurrently an arena of its own (up to 8 per core), which is where such growth usually is.
 */
public final class Recommendation {

    private static final long MIB = 1024L * 1024;
    /** The default margin: the share of the limit left above the measured need. */
    public static final double DEFAULT_MARGIN = 0.20;
    static final long MIN_DIRECT = 16 * MIB;
    static final long MIN_CODE_CACHE = 48 * MIB;
    static final long DEFAULT_RESERVED_CODE_CACHE = 240 * MIB;
    /** Untracked native memory that points at malloc arenas: at least this, and this share of the working set. */
    static final long ARENA_BYTES = 32 * MIB;
    static final double ARENA_SHARE = 0.10;
    /**
     * Without NMT the untracked part also holds the JVM's own native memory (GC structures, the JIT's
     * arenas, symbols): 40 MiB in the Spring Boot sample (docs/sizing.md). Only what is beyond this
     * allowance points at malloc arenas.
     */
    static final long JVM_NATIVE_ALLOWANCE = 48 * MIB;

    /**
     * One setting.
     *
     * @param name      e.g. {@code -Xmx}, {@code MALLOC_ARENA_MAX}, {@code limit}
     * @param value     as it is written, e.g. {@code -Xmx410m}, {@code MALLOC_ARENA_MAX=2}, {@code 640Mi}
     * @param peakBytes the measured peak it rests on, {@code -1} where none
     * @param evidence  why, with the peak and where it came from
     */
    public record Setting(String name, String value, long peakBytes, String evidence) {
    }

    /**
     * @param runs        how many runs it rests on
     * @param samples     their samples in all
     * @param margin      the share of the limit above the need
     * @param limitBytes  the recommended limit
     * @param heapBytes   the recommended max heap
     * @param needBytes   heap + non-heap peak + the caps' room
     * @param settings    limit first, then the flags, then the environment
     */
    public record Result(int runs, long samples, double margin, long limitBytes, long heapBytes, long needBytes,
                         long workingSetPeakBytes, List<Setting> settings) {

        public Result {
            settings = List.copyOf(settings);
        }

        /** The JVM flags, in order, as one would write them into JAVA_TOOL_OPTIONS ({@code -Xmx} form). */
        public List<String> jvmFlags() {
            List<String> out = new ArrayList<>();
            for (Setting s : settings) {
                if (s.value().startsWith("-") && !s.name().equals("-XX:MaxRAMPercentage")) {
                    out.add(s.value());
                }
            }
            return out;
        }

        /** The setting of this name, or {@code null}. */
        public Setting setting(String name) {
            for (Setting s : settings) {
                if (s.name().equals(name)) {
                    return s;
                }
            }
            return null;
        }

        /**
         * The heap ceiling the recommended limit leaves at the measured non-heap peak and the caps: larger
         * than the heap by the margin.
         */
        public HeapCeiling ceiling() {
            return new HeapCeiling(limitBytes, needBytes - heapBytes, HeapCeiling.RECOMMENDED);
        }
    }

    private Recommendation() {
    }

    /** The recommendation for these runs' budgets, {@code null} when there is none to rest on. */
    public static Result of(List<MeasuredBudget> runs, double margin) {
        if (runs.isEmpty() || !(margin >= 0 && margin < 0.9)) {
            return null;
        }
        long samples = 0;
        MeasuredBudget combined = null;
        for (MeasuredBudget b : runs) {
            samples += b.samples();
            combined = b.merge(combined);
        }
        long maxHeap = combined.maxHeapBytes();
        long heapCommitted = combined.heapCommittedPeakBytes();
        long afterGc = combined.heapAfterGcPeakBytes();
        long nonHeap = combined.nonHeapPeakBytes();
        long workingSet = combined.workingSetPeakBytes();
        String over = runs.size() == 1 ? "the run" : "the " + runs.size() + " runs";
        List<Setting> flags = new ArrayList<>();

        long heap = maxHeap > 0 ? ceilMib(maxHeap) * MIB : ceilMib(Math.max(heapCommitted, MIB)) * MIB;
        String heapEvidence = maxHeap > 0
                ? "the max heap " + over + " had (" + mib(maxHeap) + "); committed peaked at " + mib(heapCommitted)
                + (afterGc >= 0 ? ", live data after GC at " + mib(afterGc) : "")
                : "no max heap known: the committed peak " + mib(heapCommitted);
        if (maxHeap > 0 && afterGc > 0.75 * maxHeap) {
            heapEvidence += "; the live data filled over 75 % of it, so the heap itself is tight";
        }
        flags.add(new Setting("-Xmx", "-Xmx" + heap / MIB + "m", maxHeap > 0 ? maxHeap : heapCommitted, heapEvidence));

        long room = 0;
        long direct = largest(runs, PartCatalogue.DIRECT_BUFFERS, "nmt.other");
        if (direct >= 0) {
            long cap = Math.max(MIN_DIRECT, ceilMib((long) Math.ceil(direct / (1 - margin))) * MIB);
            room += cap - direct;
            flags.add(new Setting("-XX:MaxDirectMemorySize", "-XX:MaxDirectMemorySize=" + cap / MIB + "m", direct,
                    "direct buffers peaked at " + mib(direct) + " (" + source(runs, PartCatalogue.DIRECT_BUFFERS, "nmt.other")
                    + "); the cap keeps the margin above it, at least 16 MiB, and bounds what the JDK would "
                    + "otherwise let grow as large as the heap"));
        }
        long code = largest(runs, PartCatalogue.CODE_CACHE, "nmt.code");
        if (code >= 0) {
            long cap = Math.max(MIN_CODE_CACHE, roundUp(2 * code, 8 * MIB));
            // Only a cap below the JDK's own reservation (240 MiB with tiered compilation) changes anything.
            if (cap < DEFAULT_RESERVED_CODE_CACHE) {
                room += cap - code;
                flags.add(new Setting("-XX:ReservedCodeCacheSize", "-XX:ReservedCodeCacheSize=" + cap / MIB + "m", code,
                        "the JIT's code peaked at " + mib(code) + " (" + source(runs, PartCatalogue.CODE_CACHE, "nmt.code")
                        + "); twice that, at least 48 MiB: a full code cache stops the JIT, so it gets more room "
                        + "than the other parts"));
            }
        }

        long need = heap + nonHeap + room;
        long limit = ceilMib((long) Math.ceil(need / (1 - margin))) * MIB;
        List<Setting> all = new ArrayList<>();
        all.add(new Setting("limit", limit / MIB + "Mi", workingSet,
                "heap " + mib(heap) + " + non-heap peak " + mib(nonHeap) + " + room for the caps " + mib(room)
                + " = " + mib(need) + ", divided by " + fraction(1 - margin) + " for the " + percent(margin)
                + " margin; the working set peaked at " + mib(workingSet) + " in " + over));
        all.addAll(flags);
        all.add(new Setting("-XX:MaxRAMPercentage", "-XX:MaxRAMPercentage=" + BudgetCheck.percentage(heap, limit), -1,
                "the same heap as a share of the limit, for where the JVM sizes its heap from that limit (the "
                + "container's cgroup limit); -Xmx is the exact form"));

        long untracked = largest(runs, PartCatalogue.NATIVE_UNTRACKED);
        boolean nmt = false;
        for (MeasuredBudget.PeakPart p : combined.parts()) {
            nmt |= p.id().startsWith(PartCatalogue.NMT_PREFIX);
        }
        long beyondJvm = nmt ? untracked : untracked - JVM_NATIVE_ALLOWANCE;
        if (beyondJvm >= ARENA_BYTES && beyondJvm >= ARENA_SHARE * workingSet) {
            all.add(new Setting("MALLOC_ARENA_MAX", "MALLOC_ARENA_MAX=2", untracked,
                    "native memory the JVM does not track peaked at " + mib(untracked) + ", "
                    + percent((double) untracked / workingSet) + " of the working set's peak: glibc's per-thread "
                    + "malloc arenas are where such memory usually grows; two arenas bound it"));
        }
        return new Result(runs.size(), samples, margin, limit, heap, need, workingSet, all);
    }

    /** The largest peak across runs of the first id that any run has. */
    private static long largest(List<MeasuredBudget> runs, String... ids) {
        for (String id : ids) {
            long best = -1;
            for (MeasuredBudget b : runs) {
                best = Math.max(best, b.peak(id));
            }
            if (best >= 0) {
                return best;
            }
        }
        return -1;
    }


    private static String source(List<MeasuredBudget> runs, String mxBeanId, String nmtId) {
        for (MeasuredBudget b : runs) {
            if (b.peak(mxBeanId) >= 0) {
                return mxBeanId.equals(PartCatalogue.DIRECT_BUFFERS) ? "BufferPoolMXBean direct" : "MemoryPoolMXBean CodeHeap pools";
            }
        }
        return "NMT " + (nmtId.equals("nmt.other") ? "Other" : "Code") + " committed";
    }

    static long roundUp(long bytes, long unit) {
        return -Math.floorDiv(-bytes, unit) * unit;
    }

    private static long ceilMib(long bytes) {
        return HeapCeiling.ceilMib(bytes);
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "?" : ceilMib(bytes) + " MiB";
    }

    private static String percent(double share) {
        return Math.round(share * 1000) / 10.0 + " %";
    }

    private static String fraction(double f) {
        return Double.toString(Math.round(f * 100) / 100.0);
    }
}
