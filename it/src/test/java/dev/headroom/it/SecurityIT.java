package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the agent must never do inside someone's service: listen on the network, run a command
 * nobody configured, or leave a heap dump (every secret in memory) where others can read it.
 */
class SecurityIT {

    // A max heap larger than the limit: the share alarms count only when the parts' ceilings do not
    // fit the limit (a heap growing into its own max is no kill, issue 11), and the tests below need
    // a warning or the critical level at once from an idle JVM.
    private static final String OVERSIZED_HEAP = "-Xmx1g";


    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void theAgentOpensNoListeningSocketWithEveryPublisherOn() throws Exception {
        Set<String> without;
        try (AgentJvm app = AgentJvm.start(work.resolve("without"), null, List.of("-Xmx64m"),
                "dev.headroom.samples.Idle", "30")) {
            awaitLine(app, "idle ready");
            without = listeningSockets(app.process.pid());
        }
        Path log = work.resolve("events.jsonl");
        try (AgentJvm app = AgentJvm.start(work.resolve("with"), null,
                List.of(AgentJvm.agentOption("eventLog=" + log + ",interval=100ms,jmx=true,jfr=true,micrometer=true"),
                        "-Xmx64m"),
                "dev.headroom.samples.Idle", "30")) {
            // Well after the MBean was registered and the publishers started.
            new EventLogFile(log).awaitEvents(e -> EventLogFile.count(e, "snapshot") >= 1, WAIT, app.process);
            Set<String> with = listeningSockets(app.process.pid());
            assertEquals(without, with, "listening sockets without and with the agent");
            assertEquals(Set.of(), with, "an idle JVM listens on nothing, and neither does the agent");
        }
    }

    @Test
    void aHookWithARelativePathDisablesTheAgentAndTheApplicationRunsOn() throws Exception {
        try (AgentJvm app = AgentJvm.start(work, null, List.of(AgentJvm.agentOption("hook=notify.sh")),
                "dev.headroom.samples.Idle", "0")) {
            assertEquals(0, app.waitFor(60));
            assertTrue(app.stdoutText().contains("idle done"));
            assertEquals(List.of("headroom: agent disabled: option 'hook' has bad value 'notify.sh': expected a"
                            + " command with an absolute path, like /usr/local/bin/notify"),
                    FaultCgroupIT.agentLines(app));
        }
    }

    @Test
    void theHookRunsAtAWarningOnlyWhenConfigured() throws Exception {
        Path marker = work.resolve("hook-ran.json");
        Path hook = work.resolve("hook.sh");
        Files.writeString(hook, "#!/bin/sh\ncat > '" + marker + "'\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
        // 1% of a 256 MiB limit: this idle JVM's own memory is over it at once. (Before the limit
        // option watched the process itself, host memory was the limit and the warning came from
        // the other processes in the test's unlimited cgroup.)
        String warnAtOnce = "interval=100ms,limit=256m,warnShare=0.01,criticalShare=1,dumpDir=" + work.resolve("evidence");

        Path quietLog = work.resolve("quiet.jsonl");
        try (AgentJvm app = AgentJvm.start(work.resolve("quiet"), null,
                List.of(AgentJvm.agentOption("eventLog=" + quietLog + "," + warnAtOnce), OVERSIZED_HEAP),
                "dev.headroom.samples.Idle", "30")) {
            new EventLogFile(quietLog).awaitEvents(e -> EventLogFile.count(e, "warning") == 1
                    && EventLogFile.count(e, "snapshot") >= 1, WAIT, app.process);
            assertEquals(List.of(), app.process.children().toList(), "no hook configured: no process started");
        }
        assertFalse(Files.exists(marker));

        Path log = work.resolve("events.jsonl");
        try (AgentJvm app = AgentJvm.start(work.resolve("hooked"), null,
                List.of(AgentJvm.agentOption("eventLog=" + log + "," + warnAtOnce + ",hook=" + hook), OVERSIZED_HEAP),
                "dev.headroom.samples.Idle", "30")) {
            new EventLogFile(log).awaitEvents(e -> EventLogFile.count(e, "warning") == 1, WAIT, app.process);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!(Files.exists(marker) && Files.readString(marker).endsWith("\n")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            String stdin = Files.readString(marker);
            assertTrue(stdin.startsWith("{\"time\":") && stdin.contains("\"event\":\"warning\""), stdin);
            assertTrue(app.process.isAlive());
        }
    }

    @Test
    void inASharedDumpDirectoryEverythingOfOursGoesIntoAPrivateSubdirectory() throws Exception {
        Path shared = Files.createDirectory(work.resolve("shared"));
        // Like /tmp: anyone may create files here.
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        MemoryCgroup.requireAvailable();
        Path log = work.resolve("events.jsonl");
        try (MemoryCgroup cgroup = MemoryCgroup.create(300L * 1024 * 1024);
             AgentJvm app = AgentJvm.start(work.resolve("app"), cgroup,
                List.of(AgentJvm.agentOption("eventLog=" + log + ",interval=100ms,dumpDir=" + shared
                        + ",warnShare=0.01,criticalShare=0.02,dumpSpeed=100g"), OVERSIZED_HEAP),
                "dev.headroom.samples.Idle", "6")) {
            List<JsonNode> events = new EventLogFile(log).awaitEvents(e -> EventLogFile.count(e, "heapDump") == 1
                    && EventLogFile.count(e, "histogram") == 1, WAIT, app.process);
            assertEquals(0, app.waitFor(60));

            Path own = shared.resolve("headroom-dumps");
            assertEquals(Set.of("headroom-dumps"), names(shared), "nothing of ours directly in the shared directory");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(own)));
            Set<String> files = names(own);
            assertTrue(files.contains("headroom-flight.json"), files.toString());
            assertTrue(files.stream().anyMatch(n -> n.endsWith(".hprof")), files.toString());
            for (String name : files) {
                if (!name.equals("headroom-flight.json")) {
                    assertEquals("rw-------",
                            PosixFilePermissions.toString(Files.getPosixFilePermissions(own.resolve(name))), name);
                }
            }
            assertEquals(own.resolve(names(own).stream().filter(n -> n.endsWith(".hprof")).findFirst().orElseThrow()),
                    Path.of(FaultCgroupIT.last(events, "heapDump").get("path").asText()));
        }
    }

    /**
     * The sockets of the process that listen: TCP in state LISTEN (0A), UDP bound (07), and unix
     * sockets accepting connections (flag __SO_ACCEPTCON, 00010000), from the process's own view of
     * its network namespace, matched to its file descriptors by inode.
     */
    static Set<String> listeningSockets(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // an fd that was closed while we listed them
                }
            }
        }
        Set<String> listening = new TreeSet<>();
        Path net = Path.of("/proc/" + pid + "/net");
        for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
            List<String> lines = readLines(net.resolve(table));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                if (f.length > 9 && inodes.contains(f[9])
                        && (table.startsWith("tcp") ? f[3].equals("0A") : f[3].equals("07"))) {
                    listening.add(table + " " + f[1]);
                }
            }
        }
        List<String> unix = readLines(net.resolve("unix"));
        for (String line : unix.subList(Math.min(1, unix.size()), unix.size())) {
            // Num RefCount Protocol Flags Type St Inode Path
            String[] f = line.trim().split("\\s+");
            if (f.length > 6 && inodes.contains(f[6]) && (Integer.parseInt(f[3], 16) & 0x10000) != 0) {
                listening.add("unix " + (f.length > 7 ? f[7] : "(unnamed)"));
            }
        }
        return listening;
    }

    private static List<String> readLines(Path p) throws IOException {
        return Files.exists(p) ? Files.readAllLines(p) : List.of();
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    private static void awaitLine(AgentJvm app, String line) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!app.stdoutText().contains(line)) {
            if (System.nanoTime() > deadline || !app.process.isAlive()) {
                throw new AssertionError("the app never printed '" + line + "'; stderr: " + app.stderrText());
            }
            Thread.sleep(20);
        }
    }
}
