package dev.headroom.sense.cgroup;

import static dev.headroom.fuzz.Mutations.lineCount;
import static dev.headroom.fuzz.Mutations.mutate;
import static dev.headroom.fuzz.Mutations.pick;
import static dev.headroom.fuzz.Mutations.randomToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.fuzz.Fuzz;
import dev.headroom.fuzz.Mutations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generated and mutated cgroup files: mountinfo lines, /proc/self/cgroup lines, flat keyed files (memory.stat,
 * memory.events, memory.oom_control), PSI files, single values, and whole fixture hosts handed to
 * {@link CgroupLocator#locate} and read. Nothing may escape but the documented {@link IOException}, and what comes
 * back is bounded: sizes and counters are {@code -1} or non-negative, lists no longer than the input.
 */
class CgroupFuzzTest {

    private static final Fuzz.Tally TALLY = new Fuzz.Tally("cgroup");
    private static final List<String> TREES =
            List.of("v1-host-view", "v2-private-namespace", "v2-kubernetes-nested", "hybrid-this-host");

    private static final List<String> MOUNTINFO_LINES = new ArrayList<>();
    private static final List<String> PROC_CGROUP_LINES = new ArrayList<>();
    private static final List<String> FLAT_KEYED = new ArrayList<>();
    private static final List<String> FLAT_KEYS = new ArrayList<>();
    private static final List<String> PRESSURE = new ArrayList<>();
    private static final List<String> SINGLE_VALUES = new ArrayList<>();

    private static Path temp;

    private static Path root;

    @BeforeAll
    static void loadFixtures() throws IOException, URISyntaxException {
        temp = Fuzz.scratchDirectory("cgroup");
        root = Path.of(CgroupFuzzTest.class.getResource("/cgroup").toURI());
        for (String tree : TREES) {
            Path dir = root.resolve(tree);
            MOUNTINFO_LINES.addAll(Mutations.lines(Files.readString(dir.resolve("proc/self/mountinfo"))));
            PROC_CGROUP_LINES.addAll(Mutations.lines(Files.readString(dir.resolve("proc/self/cgroup"))));
            PRESSURE.add(Files.readString(dir.resolve("proc/pressure/memory")));
            try (Stream<Path> files = Files.walk(dir.resolve("sys"))) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    String name = f.getFileName().toString();
                    String text = Files.readString(f);
                    if (name.equals("memory.stat") || name.equals("memory.events") || name.equals("memory.oom_control")) {
                        FLAT_KEYED.add(text);
                        for (String line : Mutations.lines(text)) {
                            int space = line.indexOf(' ');
                            if (space > 0) {
                                FLAT_KEYS.add(line.substring(0, space));
                            }
                        }
                    } else if (name.equals("memory.pressure")) {
                        PRESSURE.add(text);
                    } else if (!name.startsWith("cgroup.")) {
                        SINGLE_VALUES.add(text);
                    }
                }
            }
        }
    }

    @AfterAll
    static void summary() {
        TALLY.print();
    }

    // ---- mountinfo -------------------------------------------------------------------------------------------

    @Test
    void mutatedMountinfoLinesParseToNullOrABoundedMount() {
        Fuzz.run(TALLY, "mountinfo mutated", 200_000, r -> mutate(pick(r, MOUNTINFO_LINES), r), line -> {
            Mount m = Mount.parse(line, 7);
            if (m != null) {
                assertTrue(m.root().startsWith("/") && m.mountPoint().startsWith("/"), "absolute paths");
                assertTrue(m.root().length() <= line.length() && m.mountPoint().length() <= line.length());
                assertFalse(m.fsType().isEmpty() || m.fsType().indexOf(' ') >= 0, "one field for the type");
                assertTrue(m.superOptions().indexOf(' ') < 0);
                assertEquals(7, m.line());
            }
        });
    }

    @Test
    void wellFormedMountinfoLinesParseBackToTheirFields() {
        Fuzz.run(TALLY, "mountinfo generated", 60_000, CgroupFuzzTest::mountinfoLine, g -> g.line, g -> {
            assertEquals(g.expected, Mount.parse(g.line, 3));
        });
    }

    private record GeneratedMount(String line, Mount expected) {
    }

    private static GeneratedMount mountinfoLine(SplittableRandom r) {
        String root = r.nextInt(3) == 0 ? "/" : randomPath(r);
        String mountPoint = randomPath(r);
        String fsType = pick(r, "cgroup", "cgroup2", "tmpfs", "overlay", "proc", randomWord(r));
        String superOptions = r.nextInt(5) == 0 ? "rw" : "rw," + randomWord(r) + (r.nextBoolean() ? ",memory" : "");
        StringBuilder line = new StringBuilder();
        line.append(r.nextInt(100_000)).append(' ').append(r.nextInt(100_000)).append(' ')
                .append(r.nextInt(300)).append(':').append(r.nextInt(300)).append(' ')
                .append(escape(root)).append(' ').append(escape(mountPoint)).append(" rw,nosuid,relatime");
        int optional = r.nextInt(4);
        for (int i = 0; i < optional; i++) {
            line.append(' ').append(pick(r, "shared:", "master:", "propagate_from:")).append(1 + r.nextInt(999));
        }
        line.append(" - ").append(fsType).append(' ').append(randomWord(r)).append(' ').append(superOptions);
        return new GeneratedMount(line.toString(), new Mount(root, mountPoint, fsType, superOptions, 3));
    }

    /** fs/proc_namespace.c mangles space, tab, newline and backslash as octal. */
    private static String escape(String path) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            switch (c) {
                case ' ' -> sb.append("\\040");
                case '\t' -> sb.append("\\011");
                case '\n' -> sb.append("\\012");
                case '\\' -> sb.append("\\134");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String randomPath(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int parts = 1 + r.nextInt(5);
        for (int i = 0; i < parts; i++) {
            sb.append('/');
            int n = 1 + r.nextInt(12);
            for (int j = 0; j < n; j++) {
                sb.append(switch (r.nextInt(10)) {
                    case 0 -> pick(r, " ", "\t", "\n", "\\", ":", "-", ".", "é", "\u4e2d");
                    default -> String.valueOf((char) ('a' + r.nextInt(26)));
                });
            }
        }
        return sb.toString();
    }

    private static String randomWord(SplittableRandom r) {
        int n = 1 + r.nextInt(10);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }

    // ---- /proc/self/cgroup -----------------------------------------------------------------------------------

    @Test
    void mutatedProcCgroupLinesParseToNullOrABoundedMembership() {
        Fuzz.run(TALLY, "/proc/self/cgroup mutated", 200_000, r -> mutate(pick(r, PROC_CGROUP_LINES), r), line -> {
            ProcCgroup c = ProcCgroup.parse(line);
            if (c != null) {
                assertTrue(c.hierarchyId() >= 0, "hierarchy id");
                assertTrue(c.path().startsWith("/") && c.path().length() < line.length());
                assertTrue(c.controllers().indexOf(':') < 0);
            }
        });
    }

    @Test
    void wellFormedProcCgroupLinesParseBack() {
        Fuzz.run(TALLY, "/proc/self/cgroup generated", 60_000, r -> {
            boolean v2 = r.nextInt(3) == 0;
            int id = v2 ? 0 : 1 + r.nextInt(100_000);
            String controllers = v2 ? "" : r.nextBoolean() ? "memory" : randomWord(r) + "," + randomWord(r);
            String path = randomPath(r).replace("\n", "");
            if (path.endsWith(" ")) {
                path = path + "x";
            }
            return new ProcCgroup(id, controllers, path);
        }, c -> c.hierarchyId() + ":" + c.controllers() + ":" + c.path(), expected -> {
            String line = expected.hierarchyId() + ":" + expected.controllers() + ":" + expected.path();
            assertEquals(expected, ProcCgroup.parse(line));
            assertEquals(expected, ProcCgroup.parse(line + " (deleted)"));
        });
    }

    // ---- interface files -------------------------------------------------------------------------------------

    private static Path scratch(String name) {
        return temp.resolve(name);
    }

    private static Path write(Path file, byte[] content) {
        try {
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void mutatedFlatKeyedFilesKeepOnlyNonNegativeValuesAndCountTheRest() {
        InterfaceFiles io = new InterfaceFiles();
        KeyedValues values = new KeyedValues();
        Path file = scratch("flat");
        Fuzz.run(TALLY, "memory.stat/events mutated", 60_000, r -> {
            String text = r.nextInt(5) == 0 ? Mutations.randomKeyValues(r, FLAT_KEYS, " ", "")
                    : mutate(pick(r, FLAT_KEYED), r);
            return Mutations.bytes(text, r);
        }, b -> new String(b, StandardCharsets.ISO_8859_1), bytes -> {
            write(file, bytes);
            int skipped = io.readFlatKeyed(file, values);
            int lines = lineCount(new String(bytes, StandardCharsets.ISO_8859_1));
            assertTrue(skipped >= 0 && values.size() + skipped <= lines, "lines " + lines + ", kept " + values.size()
                    + ", skipped " + skipped);
            Map<String, Long> map = values.toMap();
            assertTrue(map.size() <= values.size());
            for (Map.Entry<String, Long> e : map.entrySet()) {
                assertTrue(e.getValue() >= 0, "the kernel prints these unsigned, so a value is never negative: " + e);
                assertTrue(e.getKey().indexOf('\n') < 0);
            }
        });
    }

    @Test
    void wellFormedFlatKeyedFilesParseBackToTheirValues() {
        InterfaceFiles io = new InterfaceFiles();
        KeyedValues values = new KeyedValues();
        Path file = scratch("flat-valid");
        Fuzz.run(TALLY, "memory.stat generated", 30_000, r -> {
            Map<String, Long> expected = new LinkedHashMap<>();
            int n = r.nextInt(60);
            for (int i = 0; i < n; i++) {
                String key = r.nextBoolean() ? pick(r, FLAT_KEYS) : randomWord(r) + "_" + randomWord(r);
                expected.put(key, r.nextInt(4) == 0 ? r.nextLong(1000) : r.nextLong(Long.MAX_VALUE));
            }
            return expected;
        }, CgroupFuzzTest::flat, expected -> {
            write(file, flat(expected).getBytes(StandardCharsets.US_ASCII));
            assertEquals(0, io.readFlatKeyed(file, values));
            assertEquals(expected, values.toMap());
            for (Map.Entry<String, Long> e : expected.entrySet()) {
                assertEquals(e.getValue(), values.get(e.getKey(), -1));
            }
        });
    }

    private static String flat(Map<String, Long> values) {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(k).append(' ').append(v).append('\n'));
        return sb.toString();
    }

    @Test
    void mutatedPressureFilesGiveNullOrBoundedNumbers() {
        InterfaceFiles io = new InterfaceFiles();
        Path file = scratch("pressure");
        Fuzz.run(TALLY, "pressure mutated", 40_000, r -> Mutations.bytes(mutate(pick(r, PRESSURE), r), r),
                b -> new String(b, StandardCharsets.ISO_8859_1), bytes -> {
                    write(file, bytes);
                    Pressure p = io.readPressure(file, "fuzz");
                    if (p != null) {
                        assertBounded(p);
                    }
                });
    }

    @Test
    void wellFormedPressureFilesParseBack() {
        InterfaceFiles io = new InterfaceFiles();
        Path file = scratch("pressure-valid");
        // Totals up to 2^53 us (285 years of stall): the reader keeps them in a double on the way, exact up to there.
        Fuzz.run(TALLY, "pressure generated", 20_000, r -> new Pressure(avg(r), avg(r), avg(r),
                r.nextLong(1L << 53), avg(r), avg(r), avg(r), r.nextLong(1L << 53), "fuzz"),
                CgroupFuzzTest::psi, expected -> {
                    write(file, psi(expected).getBytes(StandardCharsets.US_ASCII));
                    assertEquals(expected, io.readPressure(file, "fuzz"));
                });
    }

    /** PSI prints averages with two decimals (LOAD_INT/LOAD_FRAC), 0.00 to 100.00. */
    private static double avg(SplittableRandom r) {
        return r.nextInt(10_001) / 100.0;
    }

    private static String psi(Pressure p) {
        return String.format(Locale.ROOT, "some avg10=%.2f avg60=%.2f avg300=%.2f total=%d%n"
                        + "full avg10=%.2f avg60=%.2f avg300=%.2f total=%d%n",
                p.someAvg10(), p.someAvg60(), p.someAvg300(), p.someTotalMicros(),
                p.fullAvg10(), p.fullAvg60(), p.fullAvg300(), p.fullTotalMicros());
    }

    @Test
    void mutatedSingleValuesAreMaxMinusOneOrNonNegative() {
        InterfaceFiles io = new InterfaceFiles();
        Path file = scratch("single");
        Fuzz.run(TALLY, "single value mutated", 40_000, r -> Mutations.bytes(r.nextInt(4) == 0
                ? Mutations.oddNumber(r) + pick(r, "", "\n", " \n", "\r\n") : mutate(pick(r, SINGLE_VALUES), r), r),
                b -> new String(b, StandardCharsets.ISO_8859_1), bytes -> {
                    write(file, bytes);
                    long value = io.readSingleValue(file);
                    assertTrue(value >= -1, "a size, max, or -1: " + value);
                    int count = io.countLines(file);
                    assertTrue(count >= 0 && count <= lineCount(new String(bytes, StandardCharsets.ISO_8859_1)));
                });
    }

    @Test
    void wellFormedSingleValuesParseBack() {
        InterfaceFiles io = new InterfaceFiles();
        Path file = scratch("single-valid");
        Fuzz.run(TALLY, "single value generated", 20_000, r -> r.nextInt(10) == 0 ? -2L : r.nextLong(Long.MAX_VALUE),
                v -> v == -2 ? "max" : Long.toString(v), v -> {
                    write(file, ((v == -2 ? "max" : Long.toString(v)) + "\n").getBytes(StandardCharsets.US_ASCII));
                    assertEquals(v == -2 ? InterfaceFiles.MAX : v, io.readSingleValue(file));
                });
    }

    // ---- whole hosts -----------------------------------------------------------------------------------------

    /** A fixture host with some of its files replaced. */
    private record Host(String tree, Map<String, byte[]> replaced) {
        String describe() {
            StringBuilder sb = new StringBuilder(tree).append(":\n");
            replaced.forEach((k, v) -> sb.append("--- ").append(k).append('\n')
                    .append(new String(v, StandardCharsets.UTF_8)).append('\n'));
            return sb.toString();
        }
    }

    @Test
    void locatingAndReadingMutatedHostsNeverThrowsAndStaysBounded() throws IOException {
        Map<String, Path> copies = new LinkedHashMap<>();
        Map<String, List<String>> filesOf = new LinkedHashMap<>();
        for (String tree : TREES) {
            Path copy = temp.resolve("host-" + tree);
            copyTree(root.resolve(tree), copy);
            copies.put(tree, copy);
            try (Stream<Path> files = Files.walk(copy)) {
                filesOf.put(tree, files.filter(Files::isRegularFile).map(f -> copy.relativize(f).toString()).toList());
            }
        }
        Fuzz.run(TALLY, "locate+read mutated hosts", 6_000, r -> {
            String tree = pick(r, TREES);
            Path copy = copies.get(tree);
            Map<String, byte[]> replaced = new LinkedHashMap<>();
            if (r.nextInt(10) < 7) {
                String text = r.nextInt(4) == 0 ? randomMountinfo(r) : read(copy.resolve("proc/self/mountinfo"));
                replaced.put("proc/self/mountinfo", Mutations.bytes(mutate(text, r), r));
            }
            if (r.nextInt(10) < 6) {
                replaced.put("proc/self/cgroup", Mutations.bytes(mutate(read(copy.resolve("proc/self/cgroup")), r), r));
            }
            int others = r.nextInt(4);
            for (int i = 0; i < others; i++) {
                String file = pick(r, filesOf.get(tree));
                replaced.put(file, Mutations.bytes(mutate(read(copy.resolve(file)), r), r));
            }
            return new Host(tree, replaced);
        }, Host::describe, host -> {
            Path copy = copies.get(host.tree());
            Map<String, byte[]> originals = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, byte[]> e : host.replaced().entrySet()) {
                    originals.put(e.getKey(), Files.readAllBytes(copy.resolve(e.getKey())));
                    Files.write(copy.resolve(e.getKey()), e.getValue());
                }
                checkHost(copy);
            } finally {
                for (Map.Entry<String, byte[]> e : originals.entrySet()) {
                    Files.write(copy.resolve(e.getKey()), e.getValue());
                }
            }
        });
    }

    private static void checkHost(Path host) throws IOException {
        Located located = CgroupLocator.locate(host.resolve("proc"), host.resolve("sys/fs/cgroup"), 16L << 30);
        int lines = lineCount(read(host.resolve("proc/self/mountinfo"))) + lineCount(read(host.resolve("proc/self/cgroup")));
        assertTrue(located.notes().size() <= 2 * lines + 8, "notes grow with the input: " + located.notes().size());
        if (located.reader().isEmpty()) {
            return;
        }
        CgroupMemoryReader reader = located.reader().get();
        assertTrue(reader.version() == 1 || reader.version() == 2);
        CgroupMemory m;
        try {
            m = reader.read();
        } catch (IOException e) {
            return; // a file the mutation made unreadable: documented
        }
        assertNotNull(m.stat());
        assertSize("limitBytes", m.limitBytes());
        assertSize("highBytes", m.highBytes());
        assertSize("usageBytes", m.usageBytes());
        assertSize("swapBytes", m.swapBytes());
        assertTrue(m.processCount() >= -1);
        assertTrue(m.workingSetBytes() >= 0);
        MemoryStat s = m.stat();
        long[] sizes = {s.anon(), s.file(), s.activeAnon(), s.inactiveAnon(), s.activeFile(), s.inactiveFile(),
            s.unevictable(), s.shmem(), s.mappedFile(), s.dirty(), s.writeback(), s.slab(), s.slabReclaimable(),
            s.kernelStack(), s.pageTables(), s.sock(), s.kernel(), s.swap()};
        for (long size : sizes) {
            assertSize("memory.stat", size);
        }
        MemoryEvents e = m.events();
        for (long counter : new long[] {e.low(), e.high(), e.max(), e.oom(), e.oomKill(), e.failcnt()}) {
            assertSize("memory.events", counter);
        }
        if (m.pressure() != null) {
            assertBounded(m.pressure());
        }
    }

    private static void assertSize(String what, long value) {
        assertTrue(value >= -1, what + " is -1 or a size, not " + value);
    }

    private static void assertBounded(Pressure p) {
        for (double avg : new double[] {p.someAvg10(), p.someAvg60(), p.someAvg300(), p.fullAvg10(), p.fullAvg60(),
            p.fullAvg300()}) {
            assertTrue(avg == -1 || avg >= 0, "average " + avg);
        }
        assertTrue(p.someTotalMicros() >= -1 && p.fullTotalMicros() >= -1, "totals");
    }

    /** Purely generated mountinfo: cgroup and cgroup2 mounts with random roots and mount points. */
    private static String randomMountinfo(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(8);
        for (int i = 0; i < n; i++) {
            boolean v1 = r.nextBoolean();
            String root = pick(r, "/", "/kubepods", "/../..", "/" + randomToken(r, 6), "/a/b/c");
            String mountPoint = pick(r, "/sys/fs/cgroup", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified",
                    "/sys/fs/cgroup/" + randomToken(r, 6), "/sys/fs/cgroup/../../..", "/elsewhere");
            sb.append(20 + i).append(" 1 0:").append(i).append(' ').append(root).append(' ').append(mountPoint)
                    .append(" rw - ").append(v1 ? "cgroup cgroup rw,memory" : "cgroup2 cgroup2 rw").append('\n');
        }
        return sb.toString();
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
