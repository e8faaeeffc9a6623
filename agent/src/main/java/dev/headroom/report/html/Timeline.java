package dev.headroom.report.html;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The samples of one run in columns: a day at 1 s is 86,400 rows, so one object per sample (and a
 * map of parts in each) would cost far more than these arrays. Part columns are created on first
 * sight and read 0 before it.
 */
final class Timeline {

    static final byte OK = 0;
    static final byte WARNING = 1;
    static final byte CRITICAL = 2;
    static final byte UNKNOWN = -1;

    private int size;
    private long[] time = new long[256];
    private long[] workingSet = new long[256];
    private long[] limit = new long[256];
    private long[] high = new long[256];
    private byte[] level = new byte[256];
    private final Map<String, long[]> parts = new LinkedHashMap<>();

    /** Appends a sample; -1 for an unknown limit or memory.high. Returns its index. */
    int add(long epochMillis, long workingSetBytes, long limitBytes, long highBytes, byte lvl) {
        if (size == time.length) {
            int n = size * 2;
            time = Arrays.copyOf(time, n);
            workingSet = Arrays.copyOf(workingSet, n);
            limit = Arrays.copyOf(limit, n);
            high = Arrays.copyOf(high, n);
            level = Arrays.copyOf(level, n);
            for (Map.Entry<String, long[]> e : parts.entrySet()) {
                e.setValue(Arrays.copyOf(e.getValue(), n));
            }
        }
        time[size] = epochMillis;
        workingSet[size] = workingSetBytes;
        limit[size] = limitBytes;
        high[size] = highBytes;
        level[size] = lvl;
        return size++;
    }

    void part(String id, int index, long bytes) {
        long[] column = parts.get(id);
        if (column == null) {
            column = new long[time.length];
            parts.put(id, column);
        }
        column[index] += bytes;
    }

    int size() {
        return size;
    }

    long time(int i) {
        return time[i];
    }

    long workingSet(int i) {
        return workingSet[i];
    }

    long limit(int i) {
        return limit[i];
    }

    long high(int i) {
        return high[i];
    }

    byte level(int i) {
        return level[i];
    }

    /** Part id to its column, in first-seen order; indices past {@link #size()} mean nothing. */
    Map<String, long[]> parts() {
        return Collections.unmodifiableMap(parts);
    }

    long part(String id, int i) {
        long[] column = parts.get(id);
        return column == null ? 0 : column[i];
    }

    long[] times() {
        return time;
    }

    long[] workingSets() {
        return workingSet;
    }

    /**
     * The worst moment: the highest working set as a share of the limit, or the highest working set
     * when there is no limit. The first of equals, -1 when empty.
     */
    int worst() {
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            double score = limit[i] > 0 ? (double) workingSet[i] / limit[i] : workingSet[i] / 1e18;
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }
}
