package dev.headroom.agent;

import dev.headroom.config.Options;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Reconciler;
import dev.headroom.report.Bytes;
import dev.headroom.report.ReconciliationTable;
import dev.headroom.sense.Sensor;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.jvm.OwnHeap;

import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.util.function.Supplier;

/**
 * The text of {@code inspect}: the reconciliation table of one JVM, headed by which JVM it is and
 * where the reading came from. Two sources: the watching agent's latest tick (when the agent runs
 * in this JVM), or one reading taken now.
 */
public final class Inspection {

    /** The running agent's report, set once its runtime has started; {@code null} until then. */
    private static volatile Supplier<String> running;

    private Inspection() {
    }

    /** Called by the agent's runtime at start: from then on {@link #ofRunningAgent()} reads it. */
    static void agentRunning(Supplier<String> report) {
        running = report;
    }

    /** The watching agent's latest reconciliation, or {@code null} when no agent runs (or has read nothing yet). */
    static String ofRunningAgent() {
        Supplier<String> report = running;
        if (report == null) {
            return null;
        }
        String text = report.get();
        return text == null ? null : "Headroom inspect: process " + ProcessHandle.current().pid()
                + ", read from the agent watching it (its latest tick)\n" + text;
    }

    /**
     * One reading of this JVM and its container, now.
     *
     * @param instrumentation the agent's, to count its own classes; {@code null} in the command's own JVM
     * @param what            the header's words for which JVM this is
     */
    public static String fresh(Options options, Instrumentation instrumentation, String what, PrintStream problems) {
        Sensor sensor = new Sensor(options.procRoot(), options.cgroupRoot(), options.limitBytes(),
                (source, message) -> problems.println("headroom: " + source + ": " + message));
        long now = System.currentTimeMillis();
        OwnHeap ownHeap = new OwnHeap(instrumentation);
        // The watcher counts itself here too: the sensor's own objects, walked.
        sensor.jvmReader().agentFootprint(ownHeap.measure(now, sensor));
        Snapshot snapshot = sensor.sample(now, true);
        Breakdown breakdown = Reconciler.reconcile(snapshot);
        String where = "watching " + StartEvent.watched(snapshot);
        StringBuilder out = new StringBuilder(4096);
        out.append("Headroom inspect: ").append(what).append(", ").append(where)
                .append(", limit from ").append(snapshot.limitSource()).append('\n');
        for (String note : sensor.locateNotes()) {
            out.append("  note: ").append(note).append('\n');
        }
        int ownClasses = instrumentation != null ? ownHeap.ownClasses() : ownClassesFromTheVm();
        out.append("  headroom itself: ").append(Bytes.human(snapshot.jvm().agent().heapBytes())).append(" of heap, ")
                .append(ownClasses < 0 ? "its classes uncounted" : ownClasses + " classes (interfaces not counted)")
                .append("\n\n");
        // One reading: its "peaks" are today's sizes; a running agent's answer has the run's (MeasuredBudget).
        dev.headroom.reconcile.SizingPeaks peaks = new dev.headroom.reconcile.SizingPeaks();
        peaks.add(snapshot, breakdown, Startup.maxHeap(snapshot, sensor.jvmReader().flags()));
        out.append(ReconciliationTable.render(breakdown, Startup.budget(snapshot, sensor.jvmReader().flags()),
                peaks.budget()));
        return out.toString();
    }

    /**
     * This JVM's loaded classes of Headroom, from {@code VM.class_hierarchy}, for a JVM without the
     * agent's Instrumentation; {@code -1} when it fails.
     */
    private static int ownClassesFromTheVm() {
        try {
            Object text = java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "vmClassHierarchy",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            if (!(text instanceof String hierarchy)) {
                return -1;
            }
            int count = 0;
            String marker = "--" + OwnHeap.OWN_PREFIX;
            for (int i = hierarchy.indexOf(marker); i >= 0; i = hierarchy.indexOf(marker, i + 1)) {
                count++;
            }
            return count;
        } catch (Exception | LinkageError e) {
            return -1;
        }
    }
}
