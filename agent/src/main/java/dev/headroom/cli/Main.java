package dev.headroom.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code java -jar headroom-agent.jar <command>}: the agent's command line.
 *
 * <pre>
 *   inspect [PID]         print the reconciliation table of a running JVM (or of this one)
 *   attach PID [options]  load the agent into a running JVM
 *   report FILE           an HTML page about a run
 *   recommend FILES       a limit and flags that fit the measured peaks
 * </pre>
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            usage(out);
            return 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "inspect" -> InspectCommand.run(rest, out, err);
                case "attach" -> AttachCommand.run(rest, out, err);
                case "report" -> ReportCommand.run(rest, out, err);
                case "recommend" -> RecommendCommand.run(rest, out, err);
                case "help", "-h", "--help" -> {
                    usage(out);
                    yield 0;
                }
                default -> {
                    err.println("headroom: unknown command '" + args[0] + "'");
                    usage(err);
                    yield 2;
                }
            };
        } catch (Exception e) {
            err.println("headroom: " + args[0] + " failed: " + e);
            return 1;
        }
    }

    static void usage(PrintStream out) {
        out.println("""
                Headroom: sees the container's OOM kill coming, from inside the JVM.

                Usage:
                  java -javaagent:headroom-agent.jar[=key=value,...] -jar your-app.jar
                  java -jar headroom-agent.jar inspect <pid> [key=value,...]
                      print how that running JVM's memory (working set) splits into parts: from the agent
                      when it watches that JVM, else from one reading taken inside it (nothing stays running)
                  java -jar headroom-agent.jar inspect [key=value,...]
                      the same for this command's own fresh JVM: only its container's side is of interest
                  java -jar headroom-agent.jar attach <pid> [key=value,...]
                      load the agent into a running JVM
                  java -jar headroom-agent.jar report <event log or flight file> [-o report.html] [--run N]
                      write a self-contained HTML page: what grew, how fast, and when it would hit the limit
                  java -jar headroom-agent.jar recommend <event logs or flight files...> [--margin 0.2]
                      the memory limit and JVM flags that fit the measured peaks, and the Kubernetes resources

                Options (also -Dheadroom.<key>=value or HEADROOM_<KEY>): see docs/configuration.md""");
    }
}
