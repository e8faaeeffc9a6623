package dev.headroom.sense.cgroup;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * {@link MemoryStat#raw()} as read in one tick: an immutable map over the file's keys and a copy
 * of its values. The keys array is shared by every tick in which the kernel printed the same keys
 * (always, for one kernel), so a tick costs one {@code long[]} instead of a hash map of boxed
 * values (measured: about 5 KiB a tick for v1's 42 keys). Nobody reads it on the tick's path; it
 * is for the events and for people. Keys are unique (see {@link KeyedValues#toMap()}).
 */
final class RawStat extends AbstractMap<String, Long> {

    private final String[] keys;
    private final long[] values;

    RawStat(String[] keys, long[] values) {
        this.keys = keys;
        this.values = values;
    }

    @Override
    public int size() {
        return keys.length;
    }

    @Override
    public boolean containsKey(Object key) {
        return indexOf(key) >= 0;
    }

    @Override
    public Long get(Object key) {
        int i = indexOf(key);
        return i < 0 ? null : values[i];
    }

    private int indexOf(Object key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Set<Entry<String, Long>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return keys.length;
            }

            @Override
            public Iterator<Entry<String, Long>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < keys.length;
                    }

                    @Override
                    public Entry<String, Long> next() {
                        if (next >= keys.length) {
                            throw new NoSuchElementException();
                        }
                        int i = next++;
                        return new SimpleImmutableEntry<>(keys[i], values[i]);
                    }
                };
            }
        };
    }

    /** Whether {@code map} is already one of these (immutable, so it need not be copied). */
    static boolean is(Map<String, Long> map) {
        return map instanceof RawStat;
    }
}
