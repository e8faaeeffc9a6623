package dev.headroom.sense.cgroup;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The lines of a "flat keyed" interface file ({@code key value}, cgroup-v2.rst "Interface Files"),
 * as read by the last {@link InterfaceFiles#readFlatKeyed}. Reused from tick to tick: key strings are
 * kept and only re-created when the kernel's key at that position changed, so a steady
 * {@code memory.stat} costs no key allocations.
 */
final class KeyedValues {

    private String[] keys = new String[64];
    private long[] values = new long[64];
    private int size;
    /** The keys of the last {@link #toMap()}, shared with it; {@code null} once a key changed. */
    private String[] frozenKeys;

    void clear() {
        size = 0;
    }

    void add(byte[] bytes, int from, int to, long value) {
        if (size == keys.length) {
            keys = java.util.Arrays.copyOf(keys, size * 2);
            values = java.util.Arrays.copyOf(values, size * 2);
        }
        String cached = keys[size];
        if (cached == null || !sameAscii(cached, bytes, from, to)) {
            keys[size] = new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
            frozenKeys = null;
        }
        values[size++] = value;
    }

    int size() {
        return size;
    }

    boolean has(String key) {
        return indexOf(key) >= 0;
    }

    /** The value of {@code key}, or {@code absent} when the file did not have it. */
    long get(String key, long absent) {
        int i = indexOf(key);
        return i < 0 ? absent : values[i];
    }

    /** The value of {@code key}, else of {@code fallbackKey}, else {@code -1}. */
    long get(String key, String fallbackKey) {
        int i = indexOf(key);
        if (i < 0) {
            i = indexOf(fallbackKey);
        }
        return i < 0 ? -1 : values[i];
    }

    /**
     * An immutable map of every key. The keys array is shared with the previous call's map while the
     * file keeps printing the same keys, so a steady file costs one {@code long[]} a call. A repeated
     * key (malformed file) keeps its last value, in a plain copy.
     */
    Map<String, Long> toMap() {
        if (frozenKeys == null || frozenKeys.length != size) {
            String[] fresh = java.util.Arrays.copyOf(keys, size);
            if (hasDuplicates(fresh)) {
                Map<String, Long> map = new HashMap<>(size * 2);
                for (int i = 0; i < size; i++) {
                    map.put(keys[i], values[i]);
                }
                return Map.copyOf(map);
            }
            frozenKeys = fresh;
        }
        return new RawStat(frozenKeys, java.util.Arrays.copyOf(values, size));
    }

    private static boolean hasDuplicates(String[] keys) {
        for (int i = 0; i < keys.length; i++) {
            for (int j = i + 1; j < keys.length; j++) {
                if (keys[i].equals(keys[j])) {
                    return true;
                }
            }
        }
        return false;
    }

    private int indexOf(String key) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean sameAscii(String s, byte[] bytes, int from, int to) {
        if (s.length() != to - from) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != (char) (bytes[from + i] & 0xff)) {
                return false;
            }
        }
        return true;
    }
}
