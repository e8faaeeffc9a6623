package dev.headroom.sense.cgroup;

import java.util.Map;

/**
 * {@code memory.stat} normalised across v1 and v2. On v1 the hierarchical {@code total_*} values
 * are used, since they include child cgroups like v2's do. Every value is bytes; {@code -1} where
 * this kernel does not report it.
 *
 * @param anon            v2 {@code anon}; v1 {@code total_rss} (+ {@code total_rss_huge} is included in rss)
 * @param file            page cache: v2 {@code file}; v1 {@code total_cache}
 * @param kernel          kernel memory charged to the cgroup: v2 {@code kernel} where present, else
 *                        slab + kernel_stack + pagetables + sock + percpu; v1 {@code memory.kmem.usage_in_bytes}
 * @param raw             every key of the file as read (bytes or counts, as the kernel wrote them)
 */
public record MemoryStat(
        long anon,
        long file,
        long activeAnon,
        long inactiveAnon,
        long activeFile,
        long inactiveFile,
        long unevictable,
        long shmem,
        long mappedFile,
        long dirty,
        long writeback,
        long slab,
        long slabReclaimable,
        long kernelStack,
        long pageTables,
        long sock,
        long kernel,
        long swap,
        Map<String, Long> raw) {

    public MemoryStat {
        // The readers' own map is immutable already; copying it would cost the tick a hash map of boxed values.
        raw = RawStat.is(raw) ? raw : Map.copyOf(raw);
    }

    /**
     * Refaults of file pages evicted earlier, a cumulative count of pages ({@code -1} when not
     * reported): the sign that the page cache the limit leaves is smaller than what is re-read
     * (mm/workingset.c). v2 {@code workingset_refault_file} (5.9+) or {@code workingset_refault};
     * v1 the hierarchical {@code total_} forms of the same keys, else this level's own.
     */
    public long fileRefaults() {
        for (String key : REFAULT_KEYS) {
            Long v = raw.get(key);
            if (v != null && v >= 0) {
                return v;
            }
        }
        return -1;
    }

    private static final String[] REFAULT_KEYS = {
            "total_workingset_refault_file", "total_workingset_refault",
            "workingset_refault_file", "workingset_refault"};
}
