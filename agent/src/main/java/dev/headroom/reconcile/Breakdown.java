package dev.headroom.reconcile;

import java.util.List;

/**
 * The working set split into parts that add up to it. Produced by {@link Reconciler} from one
 * snapshot; consumed by forecast, act and publish.
 */
public record Breakdown(long epochMillis, long workingSetBytes, long limitBytes, List<Part> parts) {

    public Breakdown {
        parts = List.copyOf(parts);
    }

    /** The part with this id, or {@code null}. */
    public Part part(String id) {
        for (Part p : parts) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        return null;
    }
}
