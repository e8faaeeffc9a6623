package dev.headroom.act;

/**
 * The largest rise of a series between two consecutive samples over the last {@code capacity}
 * samples: how big a single step of the working set can be. A fixed ring of primitives, no
 * allocation per sample.
 */
final class RecentSteps {

    private final long[] rises;
    private int next;
    private int count;
    private long previous = -1;

    RecentSteps(int capacity) {
        this.rises = new long[capacity];
    }

    /** Adds a sample ({@code -1}: unknown, skipped) and returns the largest recent rise (0 when none). */
    long add(long value) {
        if (value < 0) {
            return largest();
        }
        if (previous >= 0) {
            rises[next] = Math.max(0, value - previous);
            next = (next + 1) % rises.length;
            count = Math.min(count + 1, rises.length);
        }
        previous = value;
        return largest();
    }

    long largest() {
        long max = 0;
        for (int i = 0; i < count; i++) {
            max = Math.max(max, rises[i]);
        }
        return max;
    }
}
