package dev.headroom.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Micrometer bridge's one-line problems (each already said once by the bridge), as a stderr
 * line and a {@code problem} event with source {@code micrometer}. The bridge starts before the
 * event log is open, and may report from the application's thread while a loader defines
 * {@code MeterRegistry}; lines from before the log are kept and written once it is there.
 */
final class BridgeReports implements Consumer<String> {

    private final boolean quiet;
    private final List<String> early = new ArrayList<>();
    private ProblemReporter problems;

    BridgeReports(boolean quiet) {
        this.quiet = quiet;
    }

    @Override
    public synchronized void accept(String line) {
        if (problems != null) {
            problems.reportEach("micrometer", line);
        } else if (early.size() < 32) {
            early.add(line);
        }
    }

    /** The runtime's reporter is there: the lines so far go to it, and later ones straight away. */
    synchronized void ready(ProblemReporter reporter) {
        problems = reporter;
        for (String line : early) {
            reporter.reportEach("micrometer", line);
        }
        early.clear();
    }

    /** The runtime never started (it failed first): what was kept goes to stderr, unless quiet. */
    synchronized void flushToStderr() {
        if (!quiet) {
            for (String line : early) {
                System.err.println("headroom: " + line);
            }
        }
        early.clear();
    }
}
