package dev.headroom.cli;

import com.sun.tools.attach.VirtualMachine;

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
        if (!pid.chars().allMatch(Character::isDigit) || pid.isEmpty()) {
            err.println("headroom: attach: '" + pid + "' is not a process id");
            return 2;
        }
        String agentArgs = args.length == 2 ? args[1] : "";
        String jar = agentJar();
        VirtualMachine vm = VirtualMachine.attach(pid);
        try {
            vm.loadAgent(jar, agentArgs);
        } finally {
            vm.detach();
        }
        out.println("headroom: agent loaded into process " + pid + " from " + jar);
        return 0;
    }

    /** The jar this class was loaded from: the agent and the command line are one file. */
    static String agentJar() throws URISyntaxException {
        return new File(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .getAbsolutePath();
    }
}
