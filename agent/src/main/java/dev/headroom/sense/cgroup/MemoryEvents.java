package dev.headroom.sense.cgroup;

/**
 * Counters that say the cgroup is, or was, in trouble. Cumulative since the cgroup was created;
 * {@code -1} where this version does not report the value.
 *
 * @param high        v2 {@code memory.events high}: times throttled at {@code memory.high}
 * @param max         v2 {@code memory.events max}: times usage hit {@code memory.max}
 * @param oom         v2 {@code memory.events oom}
 * @param oomKill     v2 {@code memory.events oom_kill}; v1 {@code oom_kill} in {@code memory.oom_control}
 * @param failcnt     v1 {@code memory.failcnt}: times usage hit the limit
 * @param underOom    v1 {@code under_oom} in {@code memory.oom_control}
 */
public record MemoryEvents(long low, long high, long max, long oom, long oomKill, long failcnt, boolean underOom) {

    public static final MemoryEvents NONE = new MemoryEvents(-1, -1, -1, -1, -1, -1, false);
}
