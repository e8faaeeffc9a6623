package dev.headroom.forecast;

import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Part;
import dev.headroom.reconcile.PartCatalogue;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.cgroup.CgroupMemory;
import dev.headroom.sense.cgroup.MemoryEvents;
import dev.headroom.sense.cgroup.Pressure;
import dev.headroom.sense.jvm.JvmMemory;
import dev.headroom.sense.jvm.MemoryPoolUsage;

import java.util.Arrays;
import java.util.List;

/**
 * The recent past, as the forecaster needs it: a bounded ring of samples fed once a tick.
 *
 * <p>It keeps primitive columns, not the records: at 600 samples and 40 parts it holds about
 * 200 KiB, and after the first ticks it allocates nothing (a new column is made only when a part
 * id is seen for the first time, e.g. when NMT is switched on). Parts are stored in KiB as
 * {@code int} (a 2 TiB range; a KiB is far below any growth that matters), with
 * {@link #ABSENT} where a part was not in that sample's breakdown, so parts may appear and
 * disappear. Times are the samples' own {@code epochMillis}: gaps are simply longer steps.
 *
 * <p>Not thread-safe: the agent's one sampling thread owns it.
 */
public final class History {

    /** The default capacity: ten minutes at the default 1 s interval. */
    public static final int DEFAULT_CAPACITY = 600;

    /** At most this many distinct part ids get a column; later new ids are ignored (NMT has about 25). */
    static final int MAX_PARTS = 64;

    /** A part's value in a sample whose breakdown did not have it. */
    static final int ABSENT = Integer.MIN_VALUE;

    /** The reconciler's id of the active page cache part (reclaimable, see {@link Forecaster}). */
    static final String ACTIVE_PAGE_CACHE = "activePageCache";

    private final int capacity;
    private final long[] time;
    private final long[] workingSet;
    private final long[] limit;
    private final boolean[] limited;
    /** {@link Snapshot#unreclaimableBytes()}: the quantity every forecast is made of. */
    private final long[] unreclaimable;
    /** Heap pages in memory: committed less what the JVM committed but never touched; -1 without a JVM. */
    private final long[] heapResident;
    /** {@link dev.headroom.sense.cgroup.MemoryStat#fileRefaults()}, -1 when not reported. */
    private final long[] refaults;
    /** The coarser scales: each keeps one bucket per period, for as long as its window reaches. */
    private final Scale[] scales;
    private final long[] heapUsed;
    private final long[] heapCommitted;
    private final long[] heapMax;
    /** The live heap estimate ({@link #liveHeapBytes}), {@code -1} before the first GC. */
    private final long[] liveHeap;
    private final long[] gcCount;
    private final long[] eventsHigh;
    private final long[] eventsMax;
    private final long[] eventsOomKill;
    private final long[] failcnt;
    private final float[] someAvg10;
    private final float[] fullAvg10;

    private String[] partIds = new String[8];
    private String[] partLabels = new String[8];
    private int[][] partKib = new int[8][];
    private long[] partLatest = new long[8];
    private int partCount;

    /**
     * Parts a JVM flag caps ({@link #setCeiling}): direct buffers at MaxDirectMemorySize, metaspace
     * at MaxMetaspaceSize, the code cache at ReservedCodeCacheSize. At most {@link #MAX_CEILINGS}.
     */
    static final int MAX_CEILINGS = 4;
    private final String[] ceilingIds = new String[MAX_CEILINGS];
    private final long[] ceilingBytes = new long[MAX_CEILINGS];
    private int ceilingCount;

    // Scratch for the forecaster: one thread owns a history, and lending it these arrays lets a
    // forecast allocate almost nothing beyond its result.
    double[] scratchT = new double[0];
    double[] scratchY = new double[0];
    double[] scratchPairs = new double[0];
    /** Per capped part over the window being fitted: its growth rate, and its room to the cap. */
    final double[] scratchCappedRate = new double[MAX_CEILINGS];
    final double[] scratchCappedRoom = new double[MAX_CEILINGS];
    /** The growth pieces {@link Forecaster#secondsToGap} walks: rate and when it stops. */
    final double[] scratchPieceRate = new double[MAX_CEILINGS + 3];
    final double[] scratchPieceStop = new double[MAX_CEILINGS + 3];

    /** Slot of the oldest sample. */
    private int start;
    private int size;

    public History() {
        this(DEFAULT_CAPACITY);
    }

    public History(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity must be at least 2, was " + capacity);
        }
        this.capacity = capacity;
        time = new long[capacity];
        workingSet = new long[capacity];
        limit = new long[capacity];
        limited = new boolean[capacity];
        unreclaimable = new long[capacity];
        heapResident = new long[capacity];
        refaults = new long[capacity];
        scales = Scale.defaults();
        heapUsed = new long[capacity];
        heapCommitted = new long[capacity];
        heapMax = new long[capacity];
        liveHeap = new long[capacity];
        gcCount = new long[capacity];
        eventsHigh = new long[capacity];
        eventsMax = new long[capacity];
        eventsOomKill = new long[capacity];
        failcnt = new long[capacity];
        someAvg10 = new float[capacity];
        fullAvg10 = new float[capacity];
    }

    /**
     * Records one tick. A sample at the same time as the latest replaces it; a sample from before
     * the latest (the wall clock was stepped back) clears the history first, since slopes across a
     * clock step mean nothing. Never throws on odd content: unknown values are stored as -1.
     */
    public void add(Snapshot s, Breakdown b) {
        if (s == null) {
            return;
        }
        long t = s.epochMillis();
        boolean replace = false;
        if (size > 0) {
            long last = time[slot(size - 1)];
            if (t < last) {
                clear();
            } else if (t == last) {
                replace = true;
            }
        }
        int i = replace ? slot(size - 1) : nextSlot();
        time[i] = t;
        workingSet[i] = s.workingSetBytes();
        limit[i] = s.limitBytes();
        limited[i] = s.limited();

        JvmMemory j = s.jvm();
        heapUsed[i] = j == null ? -1 : j.heapUsed();
        heapCommitted[i] = j == null ? -1 : j.heapCommitted();
        heapMax[i] = j == null ? -1 : j.heapMax();
        liveHeap[i] = liveHeapBytes(j);
        gcCount[i] = j == null ? -1 : j.gcCount();

        CgroupMemory c = s.cgroup();
        MemoryEvents e = c == null || c.events() == null ? MemoryEvents.NONE : c.events();
        eventsHigh[i] = e.high();
        eventsMax[i] = e.max();
        eventsOomKill[i] = e.oomKill();
        failcnt[i] = e.failcnt();
        Pressure p = c == null ? null : c.pressure();
        someAvg10[i] = p == null ? -1f : (float) p.someAvg10();
        fullAvg10[i] = p == null ? -1f : (float) p.fullAvg10();

        refaults[i] = c == null || c.stat() == null ? -1 : c.stat().fileRefaults();
        unreclaimable[i] = s.unreclaimableBytes();

        for (int k = 0; k < partCount; k++) {
            partKib[k][i] = ABSENT;
        }
        long notResident = 0;
        if (b != null) {
            List<Part> parts = b.parts();
            for (int n = 0; n < parts.size(); n++) {
                Part part = parts.get(n);
                int k = column(part.id());
                if (k < 0) {
                    continue;
                }
                partLabels[k] = part.label() == null ? part.id() : part.label();
                partKib[k][i] = toKib(part.bytes());
                partLatest[k] = part.bytes();
                if (PartCatalogue.isResidencyCorrection(part.id()) && part.bytes() < 0) {
                    notResident -= part.bytes();
                }
            }
        }
        heapResident[i] = heapResidentBytes(heapCommitted[i], notResident);
        if (!replace) {
            addToScales(t, i);
        }
    }

    /** The slot for a new sample: the next free one, or the oldest once the ring is full. */
    private int nextSlot() {
        if (size < capacity) {
            return slot(size++);
        }
        int i = start;
        start = (start + 1) % capacity;
        return i;
    }

    /** The sample in slot {@code i} into the coarser scales, refitting those whose bucket closed. */
    private void addToScales(long t, int i) {
        long rest = heapResident[i] >= 0 ? unreclaimable[i] - heapResident[i] : unreclaimable[i];
        for (Scale scale : scales) {
            if (scale.add(t, unreclaimable[i], rest, heapResident[i], liveHeap[i])) {
                ensureScratch(Scale.MAX_WINDOW);
                scale.refit(scratchT, scratchY, scratchPairs);
            }
        }
    }

    /**
     * The heap's pages in memory: committed heap less what the reconciliation found committed but
     * not resident, the heap not yet written and the rest ({@code -1} without a heap reading). The
     * rest of that correction also holds thread stacks
     * counted at their full size, a near-constant offset that leaves slopes alone; capping it by
     * the committed heap not in use made the estimate swing with every young collection (use drops,
     * the cap opens), and the memory beside the heap swung the other way, which the short window
     * read as growth (measured: "limit forecast in 6.9 s at 41 MiB/s" on healthy G1 churn).
     */
    static long heapResidentBytes(long committed, long notResident) {
        if (committed < 0) {
            return -1;
        }
        return Math.max(0, committed - notResident);
    }

    /**
     * The most a part can reach, where the JVM enforces a cap: past it the JVM throws an
     * OutOfMemoryError of its own rather than growing the part, so the forecast stops the part's
     * growth there. A later call for the same id replaces the cap; a cap of 0 or less removes it.
     */
    public void setCeiling(String partId, long bytes) {
        if (partId == null) {
            return;
        }
        for (int c = 0; c < ceilingCount; c++) {
            if (ceilingIds[c].equals(partId)) {
                if (bytes > 0) {
                    ceilingBytes[c] = bytes;
                } else {
                    ceilingCount--;
                    ceilingIds[c] = ceilingIds[ceilingCount];
                    ceilingBytes[c] = ceilingBytes[ceilingCount];
                }
                return;
            }
        }
        if (bytes > 0 && ceilingCount < MAX_CEILINGS) {
            ceilingIds[ceilingCount] = partId;
            ceilingBytes[ceilingCount] = bytes;
            ceilingCount++;
        }
    }

    int ceilingCount() {
        return ceilingCount;
    }

    String ceilingId(int c) {
        return ceilingIds[c];
    }

    long ceilingBytes(int c) {
        return ceilingBytes[c];
    }

    /**
     * The latest sample again, at a later time: what a quick tick records while usage has not
     * moved (the last full tick's readings, carried forward). The same as {@link #add} of that
     * sample's snapshot and breakdown at {@code epochMillis}, without going through them again:
     * in the interpreter, before the JIT has compiled the agent's code, an {@code add} of a
     * breakdown costs about 100 µs (each part's column found by its id), a third of a quick tick.
     *
     * @return whether it was recorded; {@code false} when the history is empty or the time is not
     *         after its latest sample (then {@link #add} knows what to do)
     */
    public boolean repeatLatest(long epochMillis) {
        if (size == 0) {
            return false;
        }
        int from = slot(size - 1);
        if (epochMillis <= time[from]) {
            return false;
        }
        int i = nextSlot();
        time[i] = epochMillis;
        workingSet[i] = workingSet[from];
        limit[i] = limit[from];
        limited[i] = limited[from];
        heapUsed[i] = heapUsed[from];
        heapCommitted[i] = heapCommitted[from];
        heapMax[i] = heapMax[from];
        liveHeap[i] = liveHeap[from];
        gcCount[i] = gcCount[from];
        eventsHigh[i] = eventsHigh[from];
        eventsMax[i] = eventsMax[from];
        eventsOomKill[i] = eventsOomKill[from];
        failcnt[i] = failcnt[from];
        someAvg10[i] = someAvg10[from];
        fullAvg10[i] = fullAvg10[from];
        refaults[i] = refaults[from];
        unreclaimable[i] = unreclaimable[from];
        for (int k = 0; k < partCount; k++) {
            partKib[k][i] = partKib[k][from];
        }
        heapResident[i] = heapResident[from];
        addToScales(epochMillis, i);
        return true;
    }

    /** Forgets every sample (the part columns stay, empty). */
    public void clear() {
        size = 0;
        start = 0;
        for (Scale scale : scales) {
            scale.clear();
        }
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    /** The latest sample's time, {@code -1} when empty. */
    public long latestEpochMillis() {
        return size == 0 ? -1 : time[slot(size - 1)];
    }

    /**
     * The JVM's live data in this tick: the heap's level after the last collection that covered
     * the old generation (full, mixed or old collections), {@code -1} before the first one or
     * without a JVM reading.
     *
     * <p>Only such levels show the live set. A young collection leaves behind everything promoted,
     * garbage included, so the old generation's current use climbs between old collections on a
     * perfectly healthy service (measured: "Java heap after GC +31 MiB/s" on GC churn). A pool's
     * collection usage ({@code MemoryPoolMXBean.getCollectionUsage}) is updated only by a collector
     * that worked on that pool: on Serial and Parallel the old pool's by full collections only, on
     * G1 by mixed and full ones (a young pause with no old regions leaves it alone, JDK-8386253),
     * on generational ZGC and Shenandoah by old/major cycles, on single-pool ZGC and Shenandoah by
     * every cycle (each covers the whole heap). So the live set is the sum of the non-young pools'
     * use after GC; young pools (eden, survivor, young generation) are left out, they hold the
     * allocations since the last collection. A pool whose collection usage is still 0 has not had
     * an old collection yet and leaves the live set unknown.
     */
    static long liveHeapBytes(JvmMemory j) {
        if (j == null || j.gcCount() <= 0) {
            return -1;
        }
        List<MemoryPoolUsage> pools = j.pools();
        long sum = 0;
        int counted = 0;
        for (int n = 0; n < pools.size(); n++) {
            MemoryPoolUsage p = pools.get(n);
            if (!p.heap() || isYoung(p.name())) {
                continue;
            }
            if (p.usedAfterGc() <= 0) {
                return -1;
            }
            sum += p.usedAfterGc();
            counted++;
        }
        if (counted == 0) {
            return -1;
        }
        return j.heapUsed() >= 0 ? Math.min(sum, j.heapUsed()) : sum;
    }

    private static boolean isYoung(String poolName) {
        return poolName != null && (poolName.contains("Eden") || poolName.contains("Young")
                || poolName.contains("Survivor"));
    }

    // ---- package-private reads for the forecaster; index 0 is the oldest sample, size()-1 the latest

    int slot(int index) {
        return (start + index) % capacity;
    }

    long time(int index) {
        return time[slot(index)];
    }

    long workingSet(int index) {
        return workingSet[slot(index)];
    }

    long limit(int index) {
        return limit[slot(index)];
    }

    boolean limited(int index) {
        return limited[slot(index)];
    }

    long unreclaimable(int index) {
        return unreclaimable[slot(index)];
    }

    long heapResident(int index) {
        return heapResident[slot(index)];
    }

    long refaults(int index) {
        return refaults[slot(index)];
    }

    Scale[] scales() {
        return scales;
    }

    long heapUsed(int index) {
        return heapUsed[slot(index)];
    }

    long heapCommitted(int index) {
        return heapCommitted[slot(index)];
    }

    long heapMax(int index) {
        return heapMax[slot(index)];
    }

    long liveHeap(int index) {
        return liveHeap[slot(index)];
    }

    long gcCount(int index) {
        return gcCount[slot(index)];
    }

    long eventsHigh(int index) {
        return eventsHigh[slot(index)];
    }

    long eventsMax(int index) {
        return eventsMax[slot(index)];
    }

    long eventsOomKill(int index) {
        return eventsOomKill[slot(index)];
    }

    long failcnt(int index) {
        return failcnt[slot(index)];
    }

    float someAvg10(int index) {
        return someAvg10[slot(index)];
    }

    float fullAvg10(int index) {
        return fullAvg10[slot(index)];
    }

    int partCount() {
        return partCount;
    }

    String partId(int column) {
        return partIds[column];
    }

    String partLabel(int column) {
        return partLabels[column];
    }

    void ensureScratch(int window) {
        if (scratchT.length < window) {
            scratchT = new double[window];
            scratchY = new double[window];
            scratchPairs = new double[window * (window - 1) / 2];
        }
    }

    /** The part in KiB at that sample, or {@link #ABSENT}. */
    int partKib(int column, int index) {
        return partKib[column][slot(index)];
    }

    /** The part's exact bytes in the latest sample that had it. */
    long partLatestBytes(int column) {
        return partLatest[column];
    }

    /** The column of a part id, or -1. */
    int partColumn(String id) {
        for (int k = 0; k < partCount; k++) {
            if (partIds[k].equals(id)) {
                return k;
            }
        }
        return -1;
    }

    private int column(String id) {
        if (id == null) {
            return -1;
        }
        int k = partColumn(id);
        if (k >= 0) {
            return k;
        }
        if (partCount == MAX_PARTS) {
            return -1;
        }
        if (partCount == partIds.length) {
            int grown = Math.min(MAX_PARTS, partIds.length * 2);
            partIds = Arrays.copyOf(partIds, grown);
            partLabels = Arrays.copyOf(partLabels, grown);
            partKib = Arrays.copyOf(partKib, grown);
            partLatest = Arrays.copyOf(partLatest, grown);
        }
        int[] column = new int[capacity];
        Arrays.fill(column, ABSENT);
        partIds[partCount] = id;
        partKib[partCount] = column;
        return partCount++;
    }

    private static int toKib(long bytes) {
        long kib = Math.floorDiv(bytes + 512, 1024);
        if (kib >= Integer.MAX_VALUE) {
            return Integer.MAX_VALUE;
        }
        return kib <= ABSENT ? ABSENT + 1 : (int) kib;
    }
}
