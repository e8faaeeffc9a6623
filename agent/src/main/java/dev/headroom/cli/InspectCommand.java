package dev.headroom.cli;

import com.sun.tools.attach.VirtualMachine;
import dev.headroom.agent.InspectRequest;
import dev.headroom.agent.Inspection;
import dev.headroom.config.OptionException;
import dev.headroom.config.Options;
import dev.headroom.config.OptionsParser;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;

/**
 * {@code inspect <pid> [key=value,...]}: the reconciliation of a running JVM, as {@code jcmd}
 * users expect: read from the agent when it watches that JVM, else one reading taken inside it
 * by loading this jar through the Attach API ({@link InspectRequest}). {@code inspect} without a
 * pid reads this command's own fresh JVM, which is only worth it for the container's side (the
 * limit, page cache, other processes); its header says so.
 */
final class InspectCommand {

    static final String USAGE = "usage: inspect <pid> [key=value,...]   the memory of that running JVM\n"
            + "       inspect [key=value,...]         this command's own JVM and its container";

    private InspectCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        if (args.length > 2 || (args.length == 2 && !AttachCommand.isPid(args[0]))) {
            err.println("headroom: " + USAGE);
            return 2;
        }
        if (args.length >= 1 && AttachCommand.isPid(args[0])) {
            return inspectProcess(args[0], args.length == 2 ? args[1] : "", out, err);
        }
        Options options;
        try {
            options = OptionsParser.parse(args.length == 1 ? args[0] : null, System.getProperties(), System.getenv());
        } catch (OptionException e) {
            err.println(e.getMessage());
            return 2;
        }
        out.print(Inspection.fresh(options, null, "this command's own JVM (process " + ProcessHandle.current().pid()
                + "), not a service: its heap is an idle JVM's; `inspect <pid>` reads a running one", err));
        return 0;
    }

    private static int inspectProcess(String pid, String options, PrintStream out, PrintStream err) throws Exception {
        long target = Long.parseLong(pid);
        if (target == ProcessHandle.current().pid()) {
            err.println("headroom: inspect: " + pid + " is this command itself; `inspect` without a pid reads it");
            return 2;
        }
        AnswerDirectory dir = AnswerDirectory.forProcess(target);
        try {
            VirtualMachine vm = VirtualMachine.attach(pid);
            try {
                vm.loadAgent(AttachCommand.agentJar(), InspectRequest.arguments(dir.answerAsTargetSeesIt(), options));
            } finally {
                vm.detach();
            }
            String answer;
            try {
                answer = Files.readString(dir.answer(), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                err.println("headroom: inspect: process " + pid + " gave no answer (its stderr says why)");
                return 1;
            }
            out.print(answer);
            return answer.startsWith("headroom: ") ? 1 : 0;
        } finally {
            dir.delete();
        }
    }

    /**
     * The private directory the target writes its answer into. Made 0700 by this command, and
     * given to the target's user when that is another one (root inspecting a service). When the
     * target lives in another mount namespace (a container), the directory is made in its
     * {@code /tmp} through {@code /proc/<pid>/root}, as the Attach API finds its socket.
     */
    private record AnswerDirectory(Path here, Path there) {

        static AnswerDirectory forProcess(long pid) throws IOException {
            Path proc = Path.of("/proc", Long.toString(pid));
            boolean otherNamespace = false;
            try {
                otherNamespace = !Files.readSymbolicLink(Path.of("/proc/self/ns/mnt"))
                        .equals(Files.readSymbolicLink(proc.resolve("ns/mnt")));
            } catch (IOException | UnsupportedOperationException e) {
                // Not Linux, or not allowed to look: assume the same files.
            }
            Path here;
            Path there;
            var owner = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            if (otherNamespace) {
                here = Files.createTempDirectory(proc.resolve("root/tmp"), "headroom-inspect-", owner);
                there = Path.of("/tmp").resolve(here.getFileName());
            } else {
                here = Files.createTempDirectory("headroom-inspect-", owner);
                there = here;
            }
            try {
                UserPrincipal targetUser = Files.getOwner(proc);
                if (!targetUser.equals(Files.getOwner(here))) {
                    Files.setOwner(here, targetUser);
                }
            } catch (IOException | UnsupportedOperationException e) {
                // Only root may give it away; the Attach API needs the same user otherwise anyway.
            }
            return new AnswerDirectory(here, there);
        }

        Path answer() {
            return here.resolve("inspect.txt");
        }

        String answerAsTargetSeesIt() {
            return there.resolve("inspect.txt").toString();
        }

        void delete() {
            try {
                Files.deleteIfExists(answer());
                Files.deleteIfExists(here);
            } catch (IOException e) {
                // A temp directory left behind is no reason to fail the command.
            }
        }
    }
}
