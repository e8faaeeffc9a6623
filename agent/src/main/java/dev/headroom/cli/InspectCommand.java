package dev.headroom.cli;

import dev.headroom.agent.Startup;
import dev.headroom.config.OptionException;
import dev.headroom.config.Options;
import dev.headroom.config.OptionsParser;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Reconciler;
import dev.headroom.reconcile.SizingPeaks;
import dev.headroom.report.Bytes;
import dev.headroom.report.ReconciliationTable;
import dev.headroom.sense.Sensor;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.jvm.OwnHeap;

import java.io.PrintStream;

/**
 * {@code inspect [key=value,...]}: senses this JVM and its container once and prints the
 * reconciliation table, in the same words the agent's reports use.
 */
final class InspectCommand {

    private InspectCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 1) {
            err.println("headroom: usage: inspect [key=value,...]");
            return 2;
        }
        Options options;
        try {
            options = OptionsParser.parse(args.length == 1 ? args[0] : null, System.getProperties(), System.getenv());
        } catch (OptionException e) {
            err.println(e.getMessage());
            return 2;
        }
        Sensor sensor = new Sensor(options.procRoot(), options.cgroupRoot(), options.limitBytes(),
                (source, message) -> err.println("headroom: " + source + ": " + message));
        // The watcher counts itself here too: the sensor's own objects, walked (no Instrumentation in
        // this JVM, so sizes come from the field layout).
        long now = System.currentTimeMillis();
        sensor.jvmReader().agentFootprint(new OwnHeap(null).measure(now, sensor));
        Snapshot snapshot = sensor.sample(now, true);
        Breakdown breakdown = Reconciler.reconcile(snapshot);
        String where = snapshot.cgroup() == null
                ? "no memory cgroup"
                : "cgroup v" + snapshot.cgroup().version() + " " + snapshot.cgroup().cgroupPath();
        out.println("Headroom inspect: process " + ProcessHandle.current().pid() + ", " + where
                + ", limit from " + snapshot.limitSource());
        for (String note : sensor.locateNotes()) {
            out.println("  note: " + note);
        }
        int ownClasses = ownClasses();
        out.println("  headroom itself: " + Bytes.human(snapshot.jvm().agent().heapBytes()) + " of heap, "
                + (ownClasses < 0 ? "its classes uncounted" : ownClasses + " classes (interfaces not counted)"));
        out.println();
        // One reading: its "peaks" are today's sizes; a running agent's MBean has the run's (MeasuredBudget).
        SizingPeaks peaks = new SizingPeaks();
        peaks.add(snapshot, breakdown, Startup.maxHeap(snapshot, sensor.jvmReader().flags()));
        out.print(ReconciliationTable.render(breakdown, Startup.budget(snapshot, sensor.jvmReader().flags()),
                peaks.budget()));
        return 0;
    }

    /**
     * This JVM's loaded classes of Headroom, from {@code VM.class_hierarchy} (the running agent counts
     * them through its Instrumentation, which this command does not have); {@code -1} when it fails.
     */
    static int ownClasses() {
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
