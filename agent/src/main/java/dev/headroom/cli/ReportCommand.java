package dev.headroom.cli;

import dev.headroom.report.html.HtmlReport;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code report <event log or flight file> [-o report.html] [--run N]}: writes one self-contained
 * HTML page about a run. The page needs no network, so it can be attached to a ticket or opened
 * on the machine where the pod died.
 */
final class ReportCommand {

    static final String USAGE = "usage: report <event log or flight file> [-o report.html] [--run N]\n"
            + "  Writes one self-contained HTML page (chart, reconciliation at the worst moment, budget,\n"
            + "  causes, evidence). -o defaults to report.html; --run picks a run of an appended log\n"
            + "  (1 is the first; default: the last).";

    private ReportCommand() {
    }

    /** @return 0 when the page was written, 1 when the input could not be read, 2 for a usage error */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path input = null;
        Path output = Path.of("report.html");
        int runNumber = 0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    out.println(USAGE);
                    return 0;
                }
                case "-o", "--output" -> {
                    if (i + 1 >= args.length) {
                        err.println("headroom: report: " + a + " needs a file name\n" + USAGE);
                        return 2;
                    }
                    output = Path.of(args[++i]);
                }
                case "--run" -> {
                    if (i + 1 >= args.length) {
                        err.println("headroom: report: --run needs a number\n" + USAGE);
                        return 2;
                    }
                    try {
                        runNumber = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        runNumber = -1;
                    }
                    if (runNumber < 1) {
                        err.println("headroom: report: --run needs a number from 1, not '" + args[i] + "'");
                        return 2;
                    }
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        err.println("headroom: report: unknown option '" + a + "'\n" + USAGE);
                        return 2;
                    }
                    if (input != null) {
                        err.println("headroom: report: one input file, not '" + input + "' and '" + a + "'\n"
                                + USAGE);
                        return 2;
                    }
                    input = Path.of(a);
                }
            }
        }
        if (input == null) {
            err.println("headroom: report: which event log or flight file?\n" + USAGE);
            return 2;
        }
        HtmlReport.Page page;
        try {
            page = HtmlReport.render(input, runNumber);
        } catch (NoSuchFileException e) {
            err.println("headroom: report: no such file: " + input);
            return 1;
        } catch (IOException | RuntimeException e) {
            // The reader is lenient about content; this is the file itself (unreadable, a directory).
            err.println("headroom: report: cannot read " + input + ": " + e);
            return 1;
        }
        if (runNumber > page.runs()) {
            err.println("headroom: report: " + input + " holds " + page.runs() + " run" + (page.runs() == 1 ? "" : "s")
                    + ", not " + runNumber);
            return 2;
        }
        if (page.samples() == 0 && page.malformedLines() > 0) {
            err.println("headroom: report: " + input + " has no readable events (" + page.malformedLines()
                    + " lines skipped): is it an event log or a flight file?");
            return 1;
        }
        try {
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(output, page.html(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("headroom: report: cannot write " + output + ": " + e);
            return 1;
        }
        out.println("headroom: wrote " + output + ": " + page.verdict());
        out.println("headroom: " + page.samples() + " snapshots"
                + (page.runs() > 1 ? ", run " + page.runNumber() + " of " + page.runs() : "")
                + (page.malformedLines() > 0 ? ", " + page.malformedLines() + " malformed lines skipped" : ""));
        return 0;
    }
}
