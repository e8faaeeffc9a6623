package dev.headroom.sense.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParsingTest {

    @TempDir
    Path temp;

    @Test
    void mountinfoLineWithSeveralOptionalFields() {
        Mount mount = Mount.parse(
                "30 25 0:25 / /sys/fs/cgroup/memory rw,nosuid shared:12 master:3 propagate_from:2 - cgroup cgroup rw,memory", 7);
        assertEquals(new Mount("/", "/sys/fs/cgroup/memory", "cgroup", "rw,memory", 7), mount);
    }

    @Test
    void mountinfoLineWithoutOptionalFields() {
        Mount mount = Mount.parse("41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw", 1);
        assertEquals("cgroup2", mount.fsType());
        assertEquals("rw", mount.superOptions());
    }

    @Test
    void mountinfoEscapesAreUndone() {
        assertEquals("/mnt/a b\tc\\d", Mount.unescape("/mnt/a\\040b\\011c\\134d"));
        assertEquals("/plain", Mount.unescape("/plain"));
        assertEquals("/trailing\\04", Mount.unescape("/trailing\\04"));
    }

    @Test
    void malformedMountinfoLinesAreRejected() {
        assertNull(Mount.parse("garbage", 1));
        assertNull(Mount.parse("30 25 0:25 / /sys/fs/cgroup/memory rw,nosuid cgroup cgroup rw,memory", 1), "no separator");
        assertNull(Mount.parse("30 25 0:25 / /sys/fs/cgroup/memory rw - cgroup", 1), "nothing after fstype");
        assertNull(Mount.parse("x 25 0:25 / /m rw - cgroup cgroup rw,memory", 1), "id not a number");
    }

    @Test
    void superOptionsMatchWholeWordsOnly() {
        Mount systemd = Mount.parse("40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,name=systemd", 1);
        Mount memory = Mount.parse("35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory", 1);
        Mount notMemory = Mount.parse("35 31 0:32 / /sys/fs/cgroup/x rw - cgroup cgroup rw,memoryx", 1);
        assertEquals(false, systemd.hasSuperOption("memory"));
        assertEquals(true, memory.hasSuperOption("memory"));
        assertEquals(false, notMemory.hasSuperOption("memory"));
    }

    @Test
    void procCgroupPathMayContainColons() {
        ProcCgroup line = ProcCgroup.parse("4:memory:/kubepods-pod1.slice:cri-containerd:0123abcd");
        assertEquals(new ProcCgroup(4, "memory", "/kubepods-pod1.slice:cri-containerd:0123abcd"), line);
    }

    @Test
    void procCgroupV2LineHasNoControllers() {
        assertEquals(new ProcCgroup(0, "", "/user.slice"), ProcCgroup.parse("0::/user.slice"));
        assertEquals(true, ProcCgroup.parse("3:cpu,cpuacct:/").hasController("cpuacct"));
    }

    @Test
    void procCgroupDropsTheDeletedSuffix() {
        assertEquals("/gone", ProcCgroup.parse("0::/gone (deleted)").path());
    }

    @Test
    void malformedProcCgroupLinesAreRejected() {
        assertNull(ProcCgroup.parse("memory:/x"));
        assertNull(ProcCgroup.parse("a:memory:/x"));
        assertNull(ProcCgroup.parse("4:memory:relative"));
        assertNull(ProcCgroup.parse(":memory:/x"));
    }

    @Test
    void numbersAreParsedWithoutOverflow() {
        byte[] b = "9223372036854775807 9223372036854775808 -12 - 12a".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Long.MAX_VALUE, InterfaceFiles.parseLong(b, 0, 19));
        assertEquals(InterfaceFiles.NOT_A_NUMBER, InterfaceFiles.parseLong(b, 20, 39));
        assertEquals(InterfaceFiles.NOT_A_NUMBER, InterfaceFiles.parseLong(b, 40, 43), "the kernel prints sizes unsigned");
        assertEquals(InterfaceFiles.NOT_A_NUMBER, InterfaceFiles.parseLong(b, 44, 45));
        assertEquals(InterfaceFiles.NOT_A_NUMBER, InterfaceFiles.parseLong(b, 46, 49));
    }

    @Test
    void singleValueFilesReadMaxNumbersAndGarbage() throws IOException {
        InterfaceFiles io = new InterfaceFiles();
        assertEquals(InterfaceFiles.MAX, io.readSingleValue(file("max\n")));
        assertEquals(1_073_741_824L, io.readSingleValue(file("1073741824\n")));
        assertEquals(-1, io.readSingleValue(file("lots\n")));
        assertEquals(-1, io.readSingleValue(file("")));
    }

    @Test
    void negativeNumbersInInterfaceFilesAreMalformedNotNegativeSizes() throws IOException {
        // Found by CgroupFuzzTest: "-4" in memory.current, memory.failcnt, memory.stat or a PSI total came back negative.
        InterfaceFiles io = new InterfaceFiles();
        assertEquals(-1, io.readSingleValue(file("\n-4")));
        assertEquals(-1, io.readSingleValue(file("-2494040538202010181\n")));
        KeyedValues values = new KeyedValues();
        assertEquals(1, io.readFlatKeyed(file("total_rss 262144000\nhierarchical_memory_limit -2118454227840003200\n"),
                values));
        assertEquals(262144000, values.get("total_rss", -1));
        assertEquals(-1, values.get("hierarchical_memory_limit", -1));
        Pressure pressure = io.readPressure(file("some avg10=0.00 avg60=0.00 avg300=0.00 total=1407\n"
                + "full avg10=0.00 avg60=0.00 avg300=0.00 total=-3198250950461896433\n"), "x");
        assertEquals(1407, pressure.someTotalMicros());
        assertEquals(-1, pressure.fullTotalMicros());
    }

    @Test
    void pressureAveragesWithTooManyDecimalsAreMalformedNotNegative() throws IOException {
        // Found by CgroupFuzzTest: 26 decimals overflowed the scale and gave avg300=-3.9E-19.
        Pressure pressure = new InterfaceFiles().readPressure(
                file("full avg10=0.00 avg60=0.00 avg300=0.00000000000000000000000001 total=0\n"), "x");
        assertEquals(-1, pressure.fullAvg300(), 1e-9);
        assertEquals(0, pressure.fullAvg60(), 1e-9);
    }

    @Test
    void pressureWithOnlyASomeLineLeavesFullUnknown() throws IOException {
        Pressure pressure = new InterfaceFiles().readPressure(file("some avg10=12.34 avg60=5.00 avg300=1.5 total=42\n"), "x");
        assertEquals(12.34, pressure.someAvg10(), 1e-9);
        assertEquals(5.0, pressure.someAvg60(), 1e-9);
        assertEquals(1.5, pressure.someAvg300(), 1e-9);
        assertEquals(42, pressure.someTotalMicros());
        assertEquals(-1, pressure.fullAvg10(), 1e-9);
        assertEquals(-1, pressure.fullTotalMicros());
    }

    @Test
    void pressureThatIsNotPsiIsNull() throws IOException {
        assertNull(new InterfaceFiles().readPressure(file("hello world\n"), "x"));
    }

    @Test
    void processesAreCountedByLine() throws IOException {
        InterfaceFiles io = new InterfaceFiles();
        assertEquals(3, io.countLines(file("1\n22\n333\n")));
        assertEquals(2, io.countLines(file("1\n22")));
        assertEquals(0, io.countLines(file("")));
    }

    @Test
    void aFileLargerThanTheBufferIsReadWhole() throws IOException {
        StringBuilder pids = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            pids.append(100000 + i).append('\n');
        }
        assertEquals(5000, new InterfaceFiles().countLines(file(pids.toString())));
    }

    @Test
    void keyStringsAreReusedWhileTheFileKeepsItsShape() throws IOException {
        InterfaceFiles io = new InterfaceFiles();
        KeyedValues values = new KeyedValues();
        io.readFlatKeyed(file("anon 1\nfile 2\n"), values);
        String first = values.toMap().keySet().stream().filter("anon"::equals).findFirst().orElseThrow();
        io.readFlatKeyed(file("anon 3\nfile 4\n"), values);
        String second = values.toMap().keySet().stream().filter("anon"::equals).findFirst().orElseThrow();
        assertEquals(3, values.get("anon", -1));
        assertEquals(true, first == second);
    }

    @Test
    void theStatMapOfOneReadStaysAsItWasWhenTheNextReadChangesTheValues() throws IOException {
        InterfaceFiles io = new InterfaceFiles();
        KeyedValues values = new KeyedValues();
        io.readFlatKeyed(file("anon 1\nfile 2\n"), values);
        java.util.Map<String, Long> first = values.toMap();
        io.readFlatKeyed(file("anon 3\nfile 4\n"), values);
        java.util.Map<String, Long> second = values.toMap();

        assertEquals(java.util.Map.of("anon", 1L, "file", 2L), first);
        assertEquals(java.util.Map.of("anon", 3L, "file", 4L), second);
        assertEquals(java.util.Map.of("anon", 3L, "file", 4L).hashCode(), second.hashCode());
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class, () -> second.put("x", 1L));
        org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                () -> second.entrySet().iterator().remove());
    }

    @Test
    void aRepeatedStatKeyKeepsItsLastValue() throws IOException {
        InterfaceFiles io = new InterfaceFiles();
        KeyedValues values = new KeyedValues();
        io.readFlatKeyed(file("anon 1\nanon 5\nfile 2\n"), values);
        assertEquals(java.util.Map.of("anon", 5L, "file", 2L), values.toMap());
    }

    @Test
    void aMemoryStatKeepsTheReadersMapAndCopiesAnyOther() throws IOException {
        InterfaceFiles io = new InterfaceFiles();
        KeyedValues values = new KeyedValues();
        io.readFlatKeyed(file("anon 1\n"), values);
        java.util.Map<String, Long> raw = values.toMap();
        java.util.Map<String, Long> mutable = new java.util.HashMap<>(raw);
        assertEquals(true, stat(raw).raw() == raw);
        MemoryStat copied = stat(mutable);
        mutable.put("anon", 9L);
        assertEquals(1L, copied.raw().get("anon"));
    }

    private static MemoryStat stat(java.util.Map<String, Long> raw) {
        return new MemoryStat(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, raw);
    }

    private int files;

    private Path file(String content) throws IOException {
        Path file = temp.resolve("f" + files++);
        Files.writeString(file, content);
        return file;
    }
}
