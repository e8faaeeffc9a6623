package dev.headroom.report;

import dev.headroom.reconcile.Recommendation;

import java.util.ArrayList;
import java.util.List;

/**
 * The recommendation as a person reads it and as Kubernetes takes it: the same text on the command
 * line ({@code recommend}) and in the HTML report.
 */
public final class RecommendationText {

    private RecommendationText() {
    }

    /** Each setting with its evidence, then the Kubernetes snippet. */
    public static String render(Recommendation.Result r) {
        StringBuilder out = new StringBuilder(2048);
        out.append("Recommendation from ").append(r.runs()).append(r.runs() == 1 ? " run" : " runs").append(" (")
                .append(r.samples()).append(r.samples() == 1 ? " sample" : " samples").append("), with a ").append(Math.round(r.margin() * 100))
                .append(" % margin: the measured need is ").append(Bytes.human(r.needBytes())).append(", ")
                .append(Math.round((1 - r.margin()) * 100)).append(" % of the limit.\n");
        out.append("  ").append(r.ceiling().words()).append('\n');
        out.append('\n');
        for (Recommendation.Setting s : r.settings()) {
            out.append("  ").append(s.name().equals("limit") ? "memory limit " + s.value() : s.value()).append('\n');
            ReconciliationTable.wrap(out, s.evidence(), 6);
        }
        out.append('\n').append("Kubernetes (container spec):\n").append(kubernetes(r));
        return out.toString();
    }

    /**
     * The container's {@code resources} (request = limit: memory is not compressible, and a request
     * below the limit lets the node overcommit what this service was measured to need) and the
     * environment that carries the flags.
     */
    public static String kubernetes(Recommendation.Result r) {
        String limit = r.settings().get(0).value();
        StringBuilder y = new StringBuilder(512);
        y.append("resources:\n  requests:\n    memory: \"").append(limit).append("\"\n  limits:\n    memory: \"")
                .append(limit).append("\"\nenv:\n  - name: JAVA_TOOL_OPTIONS\n    value: \"")
                .append(String.join(" ", r.jvmFlags())).append("\"\n");
        Recommendation.Setting arena = r.setting("MALLOC_ARENA_MAX");
        if (arena != null) {
            y.append("  - name: MALLOC_ARENA_MAX\n    value: \"")
                    .append(arena.value().substring(arena.value().indexOf('=') + 1)).append("\"\n");
        }
        return y.toString();
    }

    /** The lines of {@link #render}, for callers that indent or escape them. */
    public static List<String> lines(Recommendation.Result r) {
        return new ArrayList<>(List.of(render(r).split("\n", -1)));
    }
}
