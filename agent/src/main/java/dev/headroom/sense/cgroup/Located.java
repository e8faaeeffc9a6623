package dev.headroom.sense.cgroup;

import java.util.List;
import java.util.Optional;

/**
 * What {@link CgroupLocator#locate} found.
 *
 * @param reader the memory cgroup of this process, empty when there is none (laptop, VM without cgroupfs)
 * @param notes  human-readable findings in the order they were made, e.g. {@code hybrid host: memory
 *               controller on v1} or {@code skipped malformed mountinfo line 7}
 */
public record Located(Optional<CgroupMemoryReader> reader, List<String> notes) {

    public Located {
        notes = List.copyOf(notes);
    }
}
