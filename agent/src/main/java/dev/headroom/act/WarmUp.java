package dev.headroom.act;

/**
 * Whether the JVM is still starting: loading classes or compiling at a start-up's pace, in its
 * first minutes under the agent. Pure: time is the samples'.
 *
 * <p>A start grows memory at a leak's pace and then stops: metaspace and the zip inflaters of the
 * jars while classes load, the JIT compilers' scratch memory and the code cache while the hot
 * paths compile, thread stacks as pools fill (measured: a Spring Boot service rose from 66 to 150
 * MiB at up to 30 MiB/s in 5 s while it loaded 4,600 classes, "forecast" the limit in 9 s in the
 * 377 MiB recommended for it, and warned on 2 of 2 runs; in the cgroup v2 guest, 14 MiB of native
 * memory at 7.1 MiB/s during a JVM's start under emulation "forecast" the limit in 27 s). While
 * the JVM warms up, the {@link Policy} lets a forecast reach no further ahead than its growth has
 * been seen ({@link Policy#WARM_UP_REACH_PER_AGE}): a leak in the first seconds is still warned with
 * half its time left, a start that levels off is not.
 *
 * <p>The JVM warms up for {@link #WINDOW_SECONDS} after a tick at which, over the last
 * {@link #PACE_SECONDS}, it loaded at least {@link #CLASSES_PER_SECOND} classes a second or its JIT
 * was busy for {@link #COMPILATION_SHARE} of the time (its threads' time summed; the Spring Boot
 * sample's start: 1,000 to 2,000 classes a second and about 1.0; a small program leaking from its
 * first second: 32 classes a second and 0.06 over its first 5 s, the agent's own start included).
 * Classes loaded while the agent's own ticks ran are not the JVM's start
 * ({@link dev.headroom.sense.jvm.JvmMemory#classesLoadedByOthers}), and before the agent has
 * watched for {@link #PACE_SECONDS} the counts are divided by that time all the same: at a half
 * second interval the agent's first tick alone (180 classes, a quarter second of C1) read as a
 * start, and the heap leak of OomKillIT, which grows from its JVM's first second, was held back
 * as one. Only in the first {@link #WITHIN_SECONDS} the agent watches: a service that keeps
 * generating classes (scripts, proxies) keeps that pace for good, and its metaspace growing then
 * is a leak's like any other.
 * Fixed rings of primitives: nothing is allocated per tick.
 */
final class WarmUp {

    static final double WINDOW_SECONDS = 5;
    static final double PACE_SECONDS = 2;
    static final double CLASSES_PER_SECOND = 200;
    static final double COMPILATION_SHARE = 0.5;
    static final double WITHIN_SECONDS = 120;
    private static final int CAPACITY = 64;

    private final long[] times = new long[CAPACITY];
    private final long[] classes = new long[CAPACITY];
    private final long[] compiled = new long[CAPACITY];
    private int next;
    private int count;
    private long firstMillis = -1;
    private long lastBusyMillis = -1;

    /**
     * Records one tick's counters and says whether the JVM is warming up now.
     *
     * @param classesLoadedTotal classes loaded since the JVM started, {@code -1} unknown
     * @param compilationMillis  the JIT's time since the JVM started, {@code -1} unknown
     */
    boolean add(long epochMillis, long classesLoadedTotal, long compilationMillis) {
        if (firstMillis < 0) {
            firstMillis = epochMillis;
        }
        if (count > 0 && epochMillis <= times[(next - 1 + CAPACITY) % CAPACITY]) {
            return false;
        }
        times[next] = epochMillis;
        classes[next] = classesLoadedTotal;
        compiled[next] = compilationMillis;
        next = (next + 1) % CAPACITY;
        count = Math.min(count + 1, CAPACITY);
        if (epochMillis - firstMillis > WITHIN_SECONDS * 1000 || count < 2) {
            return false;
        }
        if (busy(epochMillis)) {
            lastBusyMillis = epochMillis;
        }
        return lastBusyMillis >= 0 && epochMillis - lastBusyMillis <= WINDOW_SECONDS * 1000;
    }

    /**
     * The pace over the last {@link #PACE_SECONDS} (from the newest tick at least that old, or the
     * oldest kept, the counts then divided by the whole pace's time): short enough that compiling
     * which began a tick or two ago counts, not diluted by the quiet seconds before it; long enough that one tick's burst (a few dozen classes, one large
     * method compiled) is no start (measured: judged over one tick, at 100 classes a second and a
     * quarter of the time compiling, the small heap-leak program of OomKillIT counted as warming up
     * and was warned 2.7 s before its kill, not 6.7 s).
     */
    private boolean busy(long epochMillis) {
        int newest = (next - 1 + CAPACITY) % CAPACITY;
        int older = (next - count + CAPACITY) % CAPACITY;
        long from = epochMillis - (long) (PACE_SECONDS * 1000);
        for (int k = 2; k <= count; k++) {
            int i = (next - k + CAPACITY) % CAPACITY;
            if (times[i] <= from) {
                older = i;
                break;
            }
        }
        double seconds = (times[newest] - times[older]) / 1000.0;
        if (seconds <= 0) {
            return false;
        }
        // Over the agent's first ticks the span is shorter than the pace's: counted as the full
        // span still, so that a few hundred classes in the half second after the first tick
        // (lambdas, a logging framework on its first use) are no start, while a start's thousands
        // a second still are from the second tick on.
        seconds = Math.max(seconds, PACE_SECONDS);
        boolean loading = classes[newest] >= 0 && classes[older] >= 0
                && (classes[newest] - classes[older]) / seconds >= CLASSES_PER_SECOND;
        boolean compiling = compiled[newest] >= 0 && compiled[older] >= 0
                && (compiled[newest] - compiled[older]) / 1000.0 / seconds >= COMPILATION_SHARE;
        return loading || compiling;
    }
}
