package dev.headroom.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The JDK modules the agent reads through, and what their absence costs. A runtime made with
 * {@code jlink} (or started with {@code --limit-modules}) may lack them; the agent then still reads
 * the cgroup and {@code /proc}, and says once, in one line, what it cannot see or do.
 */
final class RuntimeModules {

    static final String MANAGEMENT = "java.management";
    static final String HOTSPOT_MANAGEMENT = "jdk.management";
    static final String JFR = "jdk.jfr";

    private final Predicate<String> present;

    RuntimeModules(Predicate<String> present) {
        this.present = present;
    }

    /** The modules of the boot layer, where the platform's modules live. */
    static RuntimeModules boot() {
        return new RuntimeModules(name -> {
            try {
                return ModuleLayer.boot().findModule(name).isPresent();
            } catch (RuntimeException e) {
                return true; // cannot tell: let each reader try and report for itself
            }
        });
    }

    boolean has(String module) {
        return present.test(module);
    }

    /** One line saying which modules are missing and what that turns off; {@code null} when none is. */
    String missing() {
        List<String> names = new ArrayList<>(3);
        List<String> lost = new ArrayList<>(4);
        if (!has(MANAGEMENT)) {
            names.add(MANAGEMENT);
            lost.add("heap, metaspace, thread and GC figures (MXBeans)");
            lost.add("heap dumps, class histograms or NMT (diagnostic commands)");
            lost.add("JMX MBean");
        } else if (!has(HOTSPOT_MANAGEMENT)) {
            names.add(HOTSPOT_MANAGEMENT);
            lost.add("heap dumps, class histograms, NMT or JVM flags (HotSpotDiagnosticMXBean, DiagnosticCommand)");
        }
        if (!has(JFR)) {
            names.add(JFR);
            lost.add("JFR events");
        }
        if (names.isEmpty()) {
            return null;
        }
        return "this runtime has no " + String.join(", ", names) + " module" + (names.size() > 1 ? "s" : "")
                + ": no " + String.join("; no ", lost) + ". The cgroup and /proc are still read.";
    }
}
