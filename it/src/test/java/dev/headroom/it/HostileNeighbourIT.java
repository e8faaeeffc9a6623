package dev.headroom.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Another local user, sharing a directory with the service, plants things where the agent will
 * write: a directory, a file of theirs, a symbolic link to a secret only the JVM's user can read,
 * a link to a file to clobber, a FIFO. The agent refuses each with one line, keeps watching, says
 * nothing of the secret, clobbers nothing, and the application runs and ends as it would without
 * it (issue 12). The other user is a uid made up by the test ({@code setpriv}), with no passwd
 * entry to clean up; the shared directory is 0777 without the sticky bit, where the kernel's
 * {@code protected_symlinks} and {@code protected_fifos} do not apply, so only the agent's own
 * checks stand between it and the plant.
 */
class HostileNeighbourIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Long enough for the agent to start and sample a few times on a busy machine; short for the suite. */
    private static final String IDLE = "6";
    /** The agent's start on a busy machine (up to 3 s), the pipe filling, the watchdog's 5 s, and some. */
    private static final String WATCHDOG_IDLE = "14";
    private static final String SAMPLING = ",interval=50ms,snapshotEvery=100ms";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Nobody's uid on this machine: different per run, so leftovers of another run are not ours. */
    private static final int OTHER_UID = 40_000 + (int) (ProcessHandle.current().pid() % 20_000);

    /** What the other user plants. */
    enum Plant { DIRECTORY, FILE, LINK_TO_SECRET, LINK_TO_CLOBBER, FIFO }

    @TempDir
    Path work;

    private Path shared;
    private Path own;
    private Path secret;
    private Path precious;
    private Path hook;
    private String secretText;

    @BeforeEach
    void aSharedDirectoryAndTheJvmUsersSecrets() throws Exception {
        assumeTrue("0".equals(run(List.of("id", "-u")).trim()), "playing another user takes root (setpriv)");
        // The other user must reach the shared directory: the temp directory is made 0700.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        shared = Files.createDirectory(work.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        own = Files.createDirectory(work.resolve("own"));
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwx------"));
        Files.createDirectory(work.resolve("tmp"));
        secretText = "S3cr3t" + HexFormat.of().formatHex(new SecureRandom().generateSeed(8));
        secret = Files.writeString(work.resolve("secret.txt"), secretText + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        precious = Files.writeString(work.resolve("precious.txt"), "precious\n");
        hook = work.resolve("hook.sh");
        Files.writeString(hook, "#!/bin/sh\ncat > /dev/null\necho hook-said\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
    }

    @ParameterizedTest
    @EnumSource(Plant.class)
    void plantedAtTheEvidenceFlightTerminationAndHookFilesEachIsRefusedWithOneLine(Plant plant) throws Exception {
        Path dumps = shared.resolve("headroom-dumps");
        Path flight = shared.resolve("flight.json");
        Path termination = shared.resolve("termination-log");
        Path hookOut = shared.resolve("hook.out");
        for (Path p : List.of(dumps, flight, termination, hookOut)) {
            plant(plant, p);
        }
        Path log = own.resolve("events.jsonl");
        try (AgentJvm app = start(work.resolve("app"), "eventLog=" + log + ",dumpDir=" + shared + ",flightFile=" + flight
                + ",terminationLog=" + termination + ",hook=" + hook + ",hookOutput=" + hookOut + SAMPLING, IDLE)) {
            List<JsonNode> events = new EventLogFile(log).awaitEvents(e -> EventLogFile.count(e, "snapshot") >= 3
                    && problems(e).contains("terminationLog"), WAIT, app.process);
            assertEquals(0, app.waitFor(60));
            assertTrue(app.stdoutText().contains("idle done"), "the application ran to its end");

            // Watching went on: samples kept coming after the refusals, later and later.
            List<JsonNode> snapshots = new EventLogFile(log).events("snapshot");
            assertTrue(snapshots.size() >= 3, snapshots.size() + " snapshots");
            assertTrue(snapshots.get(snapshots.size() - 1).get("time").asText()
                    .compareTo(snapshots.get(0).get("time").asText()) > 0);

            List<String> lines = FaultCgroupIT.agentLines(app);
            String dumpsRefusal = switch (plant) {
                case DIRECTORY -> dumps + " is owned by uid " + OTHER_UID + ", not by this process (uid 0)";
                case FILE, FIFO -> dumps + " exists and is not a directory";
                case LINK_TO_SECRET, LINK_TO_CLOBBER -> dumps + " is a symbolic link; not following it";
            };
            assertOneLine(lines, "headroom: dumpDir: heap dumps will not be possible: " + dumpsRefusal);
            assertOneLine(lines, "headroom: flightFile: not writing the flight file " + flight
                    + ": its directory " + shared + " is writable by others (mode 0777)");
            assertOneLine(lines, "headroom: hookOutput: the hook's output will be discarded: " + refusal(plant, hookOut));
            assertOneLine(lines, "headroom: terminationLog: cannot write " + termination + ": " + refusal(plant, termination));
            assertTrue(events.stream().anyMatch(e -> e.path("event").asText().matches("warning|critical")),
                    "the hook had its moment");
            assertNothingLeakedOrClobbered(app, List.of(log));
            assertStillPlanted(plant, List.of(dumps, flight, termination, hookOut));
        }
    }

    @ParameterizedTest
    @EnumSource(Plant.class)
    void plantedAtTheEventLogItIsRefusedWithOneLineAndTheFlightFileMovesOn(Plant plant) throws Exception {
        Path log = shared.resolve("events.jsonl");
        plant(plant, log);
        Path flight = own.resolve("flight.json");
        try (AgentJvm app = start(work.resolve("app"), "eventLog=" + log + ",dumpDir=" + own.resolve("evidence")
                + ",flightFile=" + flight + SAMPLING, IDLE)) {
            String first = awaitFlightTime(flight, null, app);
            awaitFlightTime(flight, first, app);
            assertEquals(0, app.waitFor(60));
            assertTrue(app.stdoutText().contains("idle done"), "the application ran to its end");
            assertOneLine(FaultCgroupIT.agentLines(app), "headroom: cannot open the event log " + log + ": "
                    + refusal(plant, log) + "; going on without it");
            assertNothingLeakedOrClobbered(app, List.of(flight));
            assertStillPlanted(plant, List.of(log));
        }
    }

    /**
     * The event log is a FIFO the service's own user set up for a collector, and the collector
     * stops reading: the pipe fills and the log's write blocks. The agent's tick goes on (the
     * flight file moves, the watchdog says so once), and the JVM ends within 2 s of main.
     */
    @Test
    void aFifoEventLogWhoseReaderStallsHoldsNeitherTheTickNorTheExit() throws Exception {
        Path fifo = own.resolve("events.fifo");
        assertEquals("", run(List.of("mkfifo", fifo.toString())));
        // A reader that opens the pipe and never reads.
        Process reader = new ProcessBuilder("sh", "-c", "exec 3<\"$0\"; exec sleep 120", fifo.toString())
                .redirectErrorStream(true).start();
        Path flight = own.resolve("flight.json");
        try (AgentJvm app = start(work.resolve("app"), "eventLog=" + fifo + ",snapshotEvery=0ms,interval=10ms,dumpDir="
                + own.resolve("evidence") + ",flightFile=" + flight, WATCHDOG_IDLE)) {
            awaitStderr(app, "headroom: eventLog: a write to the event log " + fifo + " has not returned for");
            // The tick after the watchdog spoke: still moving.
            String before = awaitFlightTime(flight, null, app);
            awaitFlightTime(flight, before, app);

            long mainEnded = awaitStdout(app, "idle done");
            assertTrue(app.process.waitFor(10, TimeUnit.SECONDS), "the JVM did not end");
            long exitMillis = (System.nanoTime() - mainEnded) / 1_000_000;
            assertEquals(0, app.process.exitValue());
            assertTrue(exitMillis < 2_000, "the JVM ended " + exitMillis + " ms after main");
            System.out.println("HostileNeighbourIT: the JVM ended " + exitMillis + " ms after main, its event log stalled");
            List<String> exitLines = FaultCgroupIT.agentLines(app).stream().filter(l -> l.startsWith("headroom: exit:")).toList();
            assertEquals(1, exitLines.size(), exitLines.toString());
            assertTrue(exitLines.get(0).startsWith("headroom: exit: the event log " + fifo + " did not take its last lines"
                    + " within "), exitLines.get(0));
        } finally {
            reader.destroyForcibly();
            reader.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * {@code /dev/stdout} is a link (to {@code /proc/self/fd/1}), which the guard refuses anywhere
     * else; the exact name means the process's own standard output, written to the descriptor the
     * JVM was started with. Every event arrives as a whole line beside the application's own.
     */
    @Test
    void eventLogDevStdoutIsTheProcessesOwnOutputWithWholeLines() throws Exception {
        try (AgentJvm app = start(work.resolve("app"), "eventLog=/dev/stdout,dumpDir=" + own.resolve("evidence")
                + ",flightFile=" + own.resolve("flight.json") + SAMPLING, "3")) {
            assertEquals(0, app.waitFor(60));
            List<String> lines = app.stdoutText().lines().toList();
            assertTrue(lines.contains("idle done"), "the application's own lines are there: " + lines);
            List<String> events = new ArrayList<>();
            for (String line : lines.stream().filter(l -> l.startsWith("{")).toList()) {
                events.add(JSON.readTree(line).path("event").asText());
            }
            assertEquals("start", events.get(0), events.toString());
            assertTrue(events.stream().filter("snapshot"::equals).count() >= 3, events.toString());
            assertEquals("stop", events.get(events.size() - 1), events.toString());
            assertTrue(FaultCgroupIT.agentLines(app).stream().noneMatch(l -> l.contains("event log")),
                    FaultCgroupIT.agentLines(app).toString());
        }
    }

    /**
     * The flight file and the termination log are on a file system that stops answering (a FUSE
     * server that answers the mount and the directory's attributes, then nothing, like an NFS server
     * gone away under a hard mount: every call under it waits in the kernel). The start waits for
     * the previous run's flight file 2 s at most, the tick goes on (snapshots keep coming, a watchdog
     * line for each stuck output), and the JVM ends within 2 s of main with one line naming both;
     * the event log, elsewhere, gets its last lines.
     */
    @Test
    void aFileSystemThatStopsAnsweringUnderTheFlightFileAndTerminationLogHoldsNeitherTheTickNorTheExit()
            throws Exception {
        withHungFileSystem(hung -> {
            Path log = own.resolve("events.jsonl");
            Path flight = hung.resolve("flight.json");
            Path termination = hung.resolve("termination-log");
            try (AgentJvm app = start(work.resolve("app"), "eventLog=" + log + ",dumpDir=" + own.resolve("evidence")
                    + ",flightFile=" + flight + ",terminationLog=" + termination + SAMPLING, WATCHDOG_IDLE)) {
                awaitStderr(app, "headroom: previousRun: the previous run's flight file " + flight
                        + " was not read within 2000 ms");
                awaitStderr(app, "headroom: flightFile: a rewrite of the flight file " + flight + " has not returned for");
                awaitStderr(app, "headroom: terminationLog: a write to the termination log " + termination
                        + " has not returned for");
                // The ticks after the watchdog spoke: still coming.
                int seen = new EventLogFile(log).events("snapshot").size();
                new EventLogFile(log).awaitEvents(e -> EventLogFile.count(e, "snapshot") >= seen + 3, WAIT, app.process);

                assertEndsSoonAfterMain(app, "its flight file and termination log on a hung file system",
                        "headroom: exit: the flight file " + flight + " did not take its last rewrite, the"
                        + " termination log " + termination + " did not take its last summary within 400 ms; not waiting"
                        + " for them (a FIFO nobody reads? a hung file system?)");
                List<JsonNode> stops = new EventLogFile(log).events("stop");
                assertEquals(1, stops.size(), "the event log, elsewhere, took its last lines");
            }
        });
    }

    /**
     * The dump directory is on a file system that stops answering. The start checks it on a thread
     * of its own and waits 2 s at most, and says so in one line; the critical level still comes, its
     * heap dump is skipped with the reason (a dump would stop the whole JVM at a safepoint in that
     * file system), the histogram waits on the evidence thread and the watchdog says so once; the
     * ticks go on, and the JVM ends within 2 s of main with one line naming what was left.
     */
    @Test
    void aFileSystemThatStopsAnsweringUnderTheDumpDirectoryHoldsNeitherTheStartNorTheTickNorTheExit()
            throws Exception {
        withHungFileSystem(hung -> {
            Path log = own.resolve("events.jsonl");
            Path flight = own.resolve("flight.json");
            try (AgentJvm app = AgentJvm.start(work.resolve("app"), null, List.of(AgentJvm.agentOption(
                            "limit=1g,warnShare=0.01,criticalShare=0.02,eventLog=" + log + ",dumpDir=" + hung
                                    + ",flightFile=" + flight + SAMPLING), "-Xmx2g",
                    "-Djava.io.tmpdir=" + work.resolve("tmp")), "dev.headroom.samples.Idle", WATCHDOG_IDLE)) {
                awaitStderr(app, "headroom: dumpDir: the dump directory under " + hung + " has not answered within 2000"
                        + " ms (a hung file system?)");
                EventLogFile events = new EventLogFile(log);
                List<JsonNode> all = events.awaitEvents(e -> EventLogFile.count(e, "heapDumpSkipped") >= 1, WAIT,
                        app.process);
                assertTrue(EventLogFile.count(all, "critical") >= 1, "the critical level came: " + all);
                String reason = events.events("heapDumpSkipped").get(0).path("reason").asText();
                assertTrue(reason.startsWith("the dump directory ") && reason.endsWith("(a hung file system?)"), reason);
                awaitStderr(app, "headroom: evidence: evidence work in the dump directory (a check, a histogram, an NMT"
                        + " report) has not returned for");
                // The ticks after the watchdog spoke: still coming.
                int seen = events.events("snapshot").size();
                events.awaitEvents(e -> EventLogFile.count(e, "snapshot") >= seen + 3, WAIT, app.process);
                assertEquals(0, events.events("heapDump").size(), "no dump was started into the hung file system");

                assertEndsSoonAfterMain(app, "its dump directory on a hung file system",
                        "headroom: exit: the evidence being written under " + hung + " did not finish"
                        + " within 400 ms; not waiting for it (a FIFO nobody reads? a hung file system?)");
                assertEquals(1, events.events("stop").size(), "the event log, elsewhere, took its last lines");
            }
        });
    }

    /**
     * The event log is on a file system that stops answering: its open waits in the kernel on the
     * log's own thread. The start waits 2 s at most and says so in one line, the ticks go on (the
     * flight file, elsewhere, keeps moving), and the JVM ends within 2 s of main with one line
     * naming the log.
     */
    @Test
    void aFileSystemThatStopsAnsweringUnderTheEventLogHoldsNeitherTheStartNorTheTickNorTheExit() throws Exception {
        withHungFileSystem(hung -> {
            Path log = hung.resolve("events.jsonl");
            Path flight = own.resolve("flight.json");
            try (AgentJvm app = start(work.resolve("app"), "eventLog=" + log + ",dumpDir=" + own.resolve("evidence")
                    + ",flightFile=" + flight + SAMPLING, IDLE)) {
                awaitStderr(app, "headroom: the event log " + log + " has not opened within 2000 ms (a hung file"
                        + " system?); its lines wait for it, and the agent goes on watching");
                String before = awaitFlightTime(flight, null, app);
                awaitFlightTime(flight, before, app);

                assertEndsSoonAfterMain(app, "its event log on a hung file system",
                        "headroom: exit: the event log " + log + " did not take its last lines within 400"
                        + " ms; not waiting for it (a FIFO nobody reads? a hung file system?)");
                JsonNode last = JSON.readTree(Files.readString(flight));
                assertTrue(last.path("ended").asBoolean() && "exit".equals(last.path("endReason").asText()),
                        "the flight file, elsewhere, took its end: " + last);
            }
        });
    }

    /**
     * The JVM ends within 2 s of the application's {@code main} (the exit's bound for the agent's
     * writes, then the JVM's own exit), cleanly, with one exit line: this one.
     */
    private static void assertEndsSoonAfterMain(AgentJvm app, String what, String exitLine) throws Exception {
        long mainEnded = awaitStdout(app, "idle done");
        assertTrue(app.process.waitFor(10, TimeUnit.SECONDS), "the JVM did not end");
        long exitMillis = (System.nanoTime() - mainEnded) / 1_000_000;
        assertEquals(0, app.process.exitValue());
        assertTrue(exitMillis < 2_000, "the JVM ended " + exitMillis + " ms after main");
        System.out.println("HostileNeighbourIT: the JVM ended " + exitMillis + " ms after main, " + what);
        List<String> exitLines = FaultCgroupIT.agentLines(app).stream()
                .filter(l -> l.startsWith("headroom: exit:")).toList();
        assertEquals(List.of(exitLine), exitLines);
    }

    /** What runs with a hung file system mounted at its argument. */
    private interface UnderHungMount {
        void run(Path hung) throws Exception;
    }

    /**
     * A FUSE server that answers the mount and the root's attributes, then nothing (hung-fuse.py),
     * mounted on a directory of the test's own for the time of {@code body}.
     */
    private void withHungFileSystem(UnderHungMount body) throws Exception {
        Prerequisites.require(Files.exists(Path.of("/dev/fuse")), "/dev/fuse (FUSE), to play a hung file system",
                "modprobe fuse");
        Prerequisites.require(Files.isExecutable(Path.of("/usr/bin/python3")), "python3, for the FUSE server",
                "apt-get install python3");
        Path hung = Files.createDirectory(own.resolve("hung"));
        Path script = Path.of(HostileNeighbourIT.class.getResource("/hung-fuse.py").toURI());
        Process server = new ProcessBuilder("/usr/bin/python3", script.toString(), hung.toString())
                .redirectErrorStream(true).start();
        try {
            String said = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream())).readLine();
            assertEquals("mounted", said, "the FUSE server did not mount " + hung);
            body.run(hung);
        } finally {
            // Its end aborts the connection: whatever still waits under the mount fails (ENOTCONN).
            server.destroy();
            assertTrue(server.waitFor(10, TimeUnit.SECONDS), "the FUSE server did not end");
            if (Files.readString(Path.of("/proc/mounts")).contains(" " + hung + " ")) {
                run(List.of("umount", "-l", hung.toString()));
            }
        }
    }

    // ---- the other user ---------------------------------------------------------------------------------

    private void plant(Plant plant, Path at) throws Exception {
        String command = switch (plant) {
            case DIRECTORY -> "mkdir \"$0\"";
            case FILE -> "printf 'planted\\n' > \"$0\"";
            case LINK_TO_SECRET -> "ln -s \"$1\" \"$0\"";
            case LINK_TO_CLOBBER -> "ln -s \"$2\" \"$0\"";
            case FIFO -> "mkfifo \"$0\"";
        };
        run(List.of("setpriv", "--reuid=" + OTHER_UID, "--regid=" + OTHER_UID, "--clear-groups", "sh", "-c", command,
                at.toString(), secret.toString(), precious.toString()));
        assertEquals(OTHER_UID, Files.getAttribute(at, "unix:uid", LinkOption.NOFOLLOW_LINKS), "planted by the other user");
    }

    /** GuardedFile's line for what was planted at this path. */
    private String refusal(Plant plant, Path at) {
        return switch (plant) {
            case DIRECTORY -> at + " is a directory, not a regular file; not opening it";
            case FILE -> at + " is owned by uid " + OTHER_UID + ", not by this process (uid 0), and its directory "
                    + shared + " is writable by others (mode 0777); not opening it";
            case LINK_TO_SECRET, LINK_TO_CLOBBER -> at + " is a symbolic link, not a regular file; not opening it";
            case FIFO -> at + " is a FIFO, not a regular file; not opening it";
        };
    }

    private void assertStillPlanted(Plant plant, List<Path> paths) throws IOException {
        for (Path p : paths) {
            switch (plant) {
                case DIRECTORY -> assertTrue(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS), p.toString());
                case FILE -> assertEquals("planted\n", Files.readString(p), p.toString());
                case LINK_TO_SECRET -> assertEquals(secret, Files.readSymbolicLink(p));
                case LINK_TO_CLOBBER -> assertEquals(precious, Files.readSymbolicLink(p));
                case FIFO -> assertTrue(Files.readAttributes(p, "unix:mode", LinkOption.NOFOLLOW_LINKS).get("mode")
                        instanceof Integer m && (m & 0170000) == 0010000, p.toString());
            }
        }
    }

    /** The secret appears in no output of the run, and the file to clobber is as it was. */
    private void assertNothingLeakedOrClobbered(AgentJvm app, List<Path> outputs) throws IOException {
        List<Path> all = new ArrayList<>(List.of(app.stdout, app.stderr));
        all.addAll(outputs);
        try (Stream<Path> files = Stream.concat(Files.walk(own), Files.walk(work.resolve("tmp")))) {
            files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).forEach(all::add);
        }
        for (Path p : all) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                assertFalse(Files.readString(p).contains("S3cr3t"), "the secret is in " + p);
            }
        }
        assertEquals("precious\n", Files.readString(precious));
        assertEquals(secretText + "\n", Files.readString(secret));
    }

    // ---- the app ----------------------------------------------------------------------------------------

    /**
     * Idle for {@code seconds}, with a limit that makes the working set a warning at once (the hook
     * and the termination log have their moment; the flight file is rewritten every tick), and its
     * temp directory in the test's, so the agent's private fallback there is looked at too.
     */
    private AgentJvm start(Path dir, String options, String seconds) throws IOException {
        // -Xmx2g beside limit=1g: the share alarms count only when the parts' ceilings do not fit
        // the limit (issue 11), and these runs need the warning level from their first tick.
        return AgentJvm.start(dir, null, List.of(AgentJvm.agentOption("limit=1g,warnShare=0.01,criticalShare=1,"
                        + options), "-Xmx2g",
                "-Djava.io.tmpdir=" + work.resolve("tmp")), "dev.headroom.samples.Idle", seconds);
    }

    private static List<String> problems(List<JsonNode> events) {
        return events.stream().filter(e -> "problem".equals(e.path("event").asText()))
                .map(e -> e.path("source").asText()).toList();
    }

    /** Exactly one such line (a problem line ends with the reporter's "reported once" note). */
    private static void assertOneLine(List<String> lines, String expected) {
        String reported = expected + " (reported once; the agent goes on)";
        assertEquals(1, lines.stream().filter(l -> l.equals(expected) || l.equals(reported)).count(),
                "one line '" + expected + "' in " + lines);
    }

    /** Polls the flight file until its {@code time} differs from {@code previous}; returns it. */
    private static String awaitFlightTime(Path flight, String previous, AgentJvm app) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && app.process.isAlive()) {
            if (Files.exists(flight)) {
                String time = JSON.readTree(Files.readString(flight)).path("time").asText();
                if (!time.isEmpty() && !time.equals(previous)) {
                    return time;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the flight file " + flight + " did not move past " + previous + "; stderr: "
                + app.stderrText());
    }

    private static void awaitStderr(AgentJvm app, String start) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (FaultCgroupIT.agentLines(app).stream().noneMatch(l -> l.startsWith(start))) {
            if (System.nanoTime() > deadline || !app.process.isAlive()) {
                throw new AssertionError("no line '" + start + "...'; stderr: " + app.stderrText());
            }
            Thread.sleep(20);
        }
    }

    /** Waits for the line on stdout; returns {@code System.nanoTime()} when it was seen. */
    private static long awaitStdout(AgentJvm app, String line) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!app.stdoutText().contains(line)) {
            if (System.nanoTime() > deadline || !app.process.isAlive()) {
                throw new AssertionError("the app never printed '" + line + "'");
            }
            Thread.sleep(5);
        }
        return System.nanoTime();
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), command.toString());
        assertEquals(0, p.exitValue(), command + ": " + out);
        return out;
    }
}
