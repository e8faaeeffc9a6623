package dev.headroom.cli;

import dev.headroom.reconcile.MeasuredBudget;
import dev.headroom.reconcile.Recommendation;
import dev.headroom.report.RecommendationText;
import dev.headroom.report.html.RunSizing;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code recommend <event logs or flight files...> [--margin 0.2]}: the memory limit and JVM flags
 * that fit the peaks these runs measured (docs/sizing.md), each with its evidence, and the
 * Kubernetes resources to paste.
 */
final class RecommendCommand {

    static final String USAGE = "usage: recommend <event log or flight file>... [--margin 0.2]\n"
            + "  Prints the memory limit and JVM flags that fit the peaks the runs measured, each with the\n"
            + "  peak it rests on, and a Kubernetes resources snippet. Every run of every file counts; each\n"
            + "  peak is the largest of them. --margin is the share of the limit left above the measured\n"
            + "  need (default 0.2: the need is 80 % of the limit, below Headroom's 85 % warning share).";

    private RecommendCommand() {
    }

    /** @return 0 when a recommendation was printed, 1 when the inputs hold none, 2 for a usage error */
    static int run(String[] args, PrintStream out, PrintStream err) {
        List<Path> inputs = new ArrayList<>();
        double margin = Recommendation.DEFAULT_MARGIN;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "--margin" -> {
                    if (i + 1 >= args.length) {
                        err.println("headroom: recommend: --margin needs a share like 0.2\n" + USAGE);
                        return 2;
                    }
                    try {
                        margin = Double.parseDouble(args[++i]);
                    } catch (NumberFormatException e) {
                        margin = Double.NaN;
                    }
                    if (!(margin >= 0 && margin <= 0.5)) {
                        err.println("headroom: recommend: --margin is a share from 0 to 0.5, not '" + args[i] + "'");
                        return 2;
                    }
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        err.println("headroom: recommend: unknown option '" + a + "'\n" + USAGE);
                        return 2;
                    }
                    inputs.add(Path.of(a));
                }
            }
        }
        if (inputs.isEmpty()) {
            err.println("headroom: recommend: which event logs or flight files?\n" + USAGE);
            return 2;
        }
        List<MeasuredBudget> runs = new ArrayList<>();
        for (Path input : inputs) {
            try {
                List<MeasuredBudget> found = RunSizing.read(input);
                if (found.isEmpty()) {
                    err.println("headroom: recommend: " + input + " holds no samples (is it an event log or a flight file?)");
                }
                runs.addAll(found);
            } catch (NoSuchFileException e) {
                err.println("headroom: recommend: no such file: " + input);
                return 1;
            } catch (IOException | RuntimeException e) {
                err.println("headroom: recommend: cannot read " + input + ": " + e);
                return 1;
            }
        }
        Recommendation.Result r = Recommendation.of(runs, margin);
        if (r == null) {
            err.println("headroom: recommend: no run with samples to size from");
            return 1;
        }
        out.print(RecommendationText.render(r));
        return 0;
    }
}
