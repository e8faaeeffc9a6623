package dev.headroom.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** Turns JMH's JSON results (SampleTime mode, {@code -prof gc}) into the table of docs/performance.md. */
final class Jmh {

    private Jmh() {
    }

    static void table(Path results) throws IOException {
        JsonNode all = new ObjectMapper().readTree(results.toFile());
        System.out.println("| benchmark | what | median | p90 | p99 | mean ± error | allocated per op |");
        System.out.println("|---|---|---|---|---|---|---|");
        double tickMedian = Double.NaN;
        double tickAlloc = Double.NaN;
        for (JsonNode r : all) {
            String name = r.get("benchmark").asText();
            name = name.substring(name.lastIndexOf('.') + 1);
            JsonNode p = r.get("primaryMetric");
            JsonNode pc = p.get("scorePercentiles");
            JsonNode alloc = r.path("secondaryMetrics").path("gc.alloc.rate.norm");
            double median = pc.get("50.0").asDouble();
            double a = alloc.path("score").asDouble(Double.NaN);
            if (name.equals("tick")) {
                tickMedian = median;
                tickAlloc = a;
            }
            System.out.printf(Locale.ROOT, "| `%s` | %s | **%.1f µs** | %.1f µs | %.1f µs | %.1f ± %.1f µs | %s |%n", name, what(name),
                    median, pc.get("90.0").asDouble(), pc.get("99.0").asDouble(), p.get("score").asDouble(),
                    p.get("scoreError").asDouble(), Double.isNaN(a) ? "?" : String.format(Locale.ROOT, "%.0f B", a));
        }
        System.out.printf(Locale.ROOT, "%nBudget: median tick at most 100 µs without NMT, nearly no allocation. Measured: %.1f µs and"
                + " %.0f B per tick — %s.%n", tickMedian, tickAlloc, tickMedian <= 100 ? "met" : "NOT met");
    }

    private static String what(String name) {
        return switch (name) {
            case "tick" -> "the whole tick without NMT: sense, reconcile, history, forecast, policy";
            case "sense" -> "Sensor.sample: cgroup files, /proc/self/status and /proc/self/cgroup, MXBeans";
            case "cgroupRead" -> "the cgroup v1 files alone (usage, stat, own limit, kmem, failcnt, oom_control, PSI; procs every tenth read, the parents' limits when the hierarchical one moves)";
            case "processRead" -> "/proc/self/status alone";
            case "jvmRead" -> "the MXBeans alone";
            case "reconcile" -> "Reconciler.reconcile";
            case "historyAdd" -> "History.add (600-sample ring)";
            case "forecast" -> "Forecaster.forecast (windows of 5 and 30)";
            case "decide" -> "Policy.decide";
            case "nmtRead" -> "the NMT summary through the DiagnosticCommand MBean and its parse (every nmtEvery, 10 s)";
            case "selfMeasure" -> "the agent measuring its own heap (at start, 130 s, then every 5 minutes)";
            default -> "";
        };
    }
}
