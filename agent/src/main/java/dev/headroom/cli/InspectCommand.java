package dev.headroom.cli;

import dev.headroom.agent.Startup;
import dev.headroom.config.OptionException;
import dev.headroom.config.Options;
import dev.headroom.config.OptionsParser;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Reconciler;
import dev.headroom.report.ReconciliationTable;
import dev.headroom.sense.Sensor;
import dev.headroom.sense.Snapshot;

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
        Snapshot snapshot = sensor.sample(System.currentTimeMillis(), true);
        Breakdown breakdown = Reconciler.reconcile(snapshot);
        String where = snapshot.cgroup() == null
                ? "no memory cgroup"
                : "cgroup v" + snapshot.cgroup().version() + " " + snapshot.cgroup().cgroupPath();
        out.println("Headroom inspect: process " + ProcessHandle.current().pid() + ", " + where
                + ", limit from " + snapshot.limitSource());
        for (String note : sensor.locateNotes()) {
            out.println("  note: " + note);
        }
        out.println();
        out.print(ReconciliationTable.render(breakdown, Startup.budget(snapshot, sensor.jvmReader().flags())));
        return 0;
    }
}
