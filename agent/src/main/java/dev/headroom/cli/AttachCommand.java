package dev.headroom.cli;

import com.sun.tools.attach.VirtualMachine;
import dev.headroom.agent.HeadroomAgent;

import java.io.File;
import java.io.PrintStream;
import java.net.URISyntaxException;

/** {@code attach <pid> [key=value,...]}: loads this very jar as an agent into a running JVM. */
final class AttachCommand {

    private AttachCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length < 1 || args.length > 2) {
            err.println("headroom: usage: attach <pid> [key=value,...]");
            return 2;
        }
        String pid = args[0];
        if (!isPid(pid)) {
            err.println("headroom: attach: '" + pid + "' is not a process id");
            return 2;
        }
        String agentArgs = args.length == 2 ? args[1] : "";
        String jar = agentJar();
        VirtualMachine vm = VirtualMachine.attach(pid);
        try {
            // The target ignores a second start (and says so on its own stderr, which the person
            // typing this may never see): ask first, and say it here, where they look.
            String startedBy = vm.getSystemProperties().getProperty(HeadroomAgent.RUNNING_PROPERTY);
            if (startedBy != null) {
                err.println("headroom: attach: the agent is already running in process " + pid + " (started by "
                        + startedBy + "); nothing was loaded, its options stay as they were"
                        + (agentArgs.isEmpty() ? "" : " ('" + agentArgs + "' was not applied)"));
                return 1;
            }
            vm.loadAgent(jar, agentArgs);
        } finally {
            vm.detach();
        }
        out.println("headroom: agent loaded into process " + pid + " from " + jar
                + " (its start line and any option problem go to that process's stderr)");
        return 0;
    }

    static boolean isPid(String s) {
        return !s.isEmpty() && s.length() < 19 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** The jar this class was loaded from: the agent and the command line are one file. */
    static String agentJar() throws URISyntaxException {
        return new File(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getAbsolutePath();
    }
}
