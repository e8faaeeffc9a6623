package dev.headroom.act;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class HeapDumperTest {

    private static final long MIB = 1024 * 1024;
    private static final long UID = EvidenceDirectory.effectiveUid(Path.of("/proc"));
    private static final long CLOCK = 1_714_558_500_000L; // 2024-05-01T10:15:00Z

    @TempDir
    Path tmp;

    @Test
    void dumpsTheTestJvmIntoAPrivateDirectoryAsAWholeHprofFile() throws IOException {
        Path dumps = tmp.resolve("dumps");
        HeapDumper dumper = new HeapDumper(new EvidenceDirectory(dumps), Path.of("/proc"),
                HeapDumper.Settings.defaults());

        HeapDumpResult r = dumper.dump();

        assertEquals(EvidenceStatus.DONE, r.status(), r.reason());
        assertEquals(dumps, r.path().getParent());
        assertTrue(r.path().getFileName().toString().startsWith("headroom-" + ProcessHandle.current().pid() + "-"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dumps)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.path())));
        assertTrue(r.bytes() > 0);
        assertEquals(Files.size(r.path()), r.bytes());
        assertTrue(r.millis() >= 0);
        Hprof.Walk walk = Hprof.walk(r.path());
        assertTrue(walk.version().startsWith("JAVA PROFILE 1.0."), walk.version());
        assertTrue(walk.identifierSize() == 4 || walk.identifierSize() == 8);
        assertTrue(walk.heapRecords() > 0, "no heap dump record");
        if (walk.segmented()) {
            assertEquals(Hprof.HEAP_DUMP_END, walk.lastTag());
        }
        assertEquals(1, dumper.attempts());
        // The walk reaches the end only of a whole file: a cut one fails it.
        Path cut = tmp.resolve("cut.hprof");
        try (var in = Files.newInputStream(r.path())) {
            Files.write(cut, in.readNBytes((int) Math.min(r.bytes() - 7, 8 * MIB)));
        }
        assertThrows(IOException.class, () -> Hprof.walk(cut));
    }

    @Test
    void secondDumpInARunIsSkippedAtTheDefaultMaxDumps() {
        HeapDumper dumper = fake(tmp, fixtureMountinfo("ext4", tmp), HeapDumper.Settings.defaults(), p -> 10_000 * MIB,
                new ArrayList<>());

        assertEquals(EvidenceStatus.DONE, dumper.dump().status());
        HeapDumpResult second = dumper.dump();

        assertEquals(EvidenceStatus.SKIPPED, second.status());
        assertTrue(second.reason().startsWith("maxDumps reached"), second.reason());
    }

    @Test
    void refusesADirectoryThatMountinfoShowsOnTmpfs() throws IOException {
        List<String> written = new ArrayList<>();
        HeapDumper dumper = fake(tmp, fixtureMountinfo("tmpfs", tmp), HeapDumper.Settings.defaults(), p -> 10_000 * MIB,
                written);

        HeapDumpResult r = dumper.dump();

        assertEquals(EvidenceStatus.SKIPPED, r.status());
        assertTrue(r.reason().contains("tmpfs"), r.reason());
        assertTrue(written.isEmpty());
        assertEquals(0, dumper.attempts());
    }

    @Test
    void forceDumpsEvenOnTmpfs() throws IOException {
        HeapDumper.Settings force = new HeapDumper.Settings(true, true, 1, 3, 0);
        HeapDumper dumper = fake(tmp, fixtureMountinfo("tmpfs", tmp), force, p -> 10_000 * MIB, new ArrayList<>());

        assertEquals(EvidenceStatus.DONE, dumper.dump().status());
    }

    @Test
    void refusesTheRealDevShm() throws IOException {
        Path mountinfo = Path.of("/proc/self/mountinfo");
        assumeTrue(Files.isDirectory(Path.of("/dev/shm"))
                && "tmpfs".equals(MountTable.fileSystemType(mountinfo, Path.of("/dev/shm").toRealPath())),
                "/dev/shm is not tmpfs here");
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "headroom-test-");
        try {
            HeapDumper dumper = new HeapDumper(new EvidenceDirectory(dir), Path.of("/proc"),
                    HeapDumper.Settings.defaults());

            HeapDumpResult r = dumper.dump();

            assertEquals(EvidenceStatus.SKIPPED, r.status());
            assertTrue(r.reason().contains("tmpfs"), r.reason());
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(0, files.count());
            }
        } finally {
            Files.delete(dir);
        }
    }

    @Test
    void refusesWhenTheDiskHasNoRoomForTheHeapInUse() throws IOException {
        List<String> written = new ArrayList<>();
        // Heap in use is 100 MiB (see fake): 100 + 10 + 64 MiB margin are needed, 150 MiB are there.
        HeapDumper dumper = fake(tmp, fixtureMountinfo("ext4", tmp), settings(HeapDumper.Compression.OFF), p -> 150 * MIB,
                written);

        HeapDumpResult r = dumper.dump();

        assertEquals(EvidenceStatus.SKIPPED, r.status());
        assertTrue(r.reason().startsWith("not enough disk space"), r.reason());
        assertTrue(written.isEmpty());
    }

    @Test
    void automaticCompressionOnlyWhereThePlainDumpDoesNotFitTheDisk() throws IOException {
        List<String> written = new ArrayList<>();
        // 100 MiB in use: plain needs 174 MiB, compressed is counted at 50 + 64 MiB.
        HeapDumper roomy = fake(tmp.resolve("a"), fixtureMountinfo("ext4", tmp), settings(HeapDumper.Compression.AUTO),
                p -> 10_000 * MIB, written);
        HeapDumpResult plain = roomy.dump(true, 60);
        assertEquals(EvidenceStatus.DONE, plain.status(), plain.reason());
        assertTrue(plain.path().toString().endsWith(".hprof"), plain.path().toString());

        HeapDumper tight = fake(tmp.resolve("b"), fixtureMountinfo("ext4", tmp), settings(HeapDumper.Compression.AUTO),
                p -> 150 * MIB, written);
        HeapDumpResult gz = tight.dump(true, 60);
        assertEquals(EvidenceStatus.DONE, gz.status(), gz.reason());
        assertTrue(gz.path().toString().endsWith(".hprof.gz"), gz.path().toString());
        assertTrue(Hprof.startsWithHeader(gz.path()) == false, "compressed on disk");
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz.path()))) {
            assertEquals("JAVA PROFILE 1.0.2\0", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(gz.path())));
        assertEquals(2, written.size());
    }

    @Test
    void automaticCompressionIsSkippedWhenTheKillComesBeforeTwiceItsTime() throws IOException {
        List<String> written = new ArrayList<>();
        // 100 MiB at GZIP_BYTES_PER_SECOND (20 MiB/s) is 5 s compressed, so 10 s are needed.
        HeapDumper tight = fake(tmp, fixtureMountinfo("ext4", tmp), settings(HeapDumper.Compression.AUTO),
                p -> 150 * MIB, written);

        HeapDumpResult soon = tight.dump(true, 9.9);
        assertEquals(EvidenceStatus.SKIPPED, soon.status());
        assertTrue(soon.reason().contains("has not twice its time"), soon.reason());
        assertTrue(written.isEmpty());
        assertEquals(0, tight.attempts());

        HeapDumpResult later = tight.dump(true, 10.1);
        assertEquals(EvidenceStatus.DONE, later.status(), later.reason());
        assertTrue(later.path().toString().endsWith(".gz"));
    }

    @Test
    void automaticCompressionStillNeedsRoomForTheCompressedDump() throws IOException {
        List<String> written = new ArrayList<>();
        HeapDumper full = fake(tmp, fixtureMountinfo("ext4", tmp), settings(HeapDumper.Compression.AUTO),
                p -> 100 * MIB, written);

        HeapDumpResult r = full.dump(true, Double.NaN);

        assertEquals(EvidenceStatus.SKIPPED, r.status());
        assertTrue(r.reason().contains("nor for a compressed one"), r.reason());
        assertTrue(written.isEmpty());
    }

    @Test
    void gzipAlwaysCompressesAndOffNever() throws IOException {
        List<String> written = new ArrayList<>();
        HeapDumpResult always = fake(tmp.resolve("a"), fixtureMountinfo("ext4", tmp), settings(HeapDumper.Compression.GZIP),
                p -> 10_000 * MIB, written).dump(true, 1.0);
        assertEquals(EvidenceStatus.DONE, always.status(), always.reason());
        assertTrue(always.path().toString().endsWith(".hprof.gz"));

        HeapDumpResult never = fake(tmp.resolve("b"), fixtureMountinfo("ext4", tmp), settings(HeapDumper.Compression.OFF),
                p -> 10_000 * MIB, written).dump(true, Double.NaN);
        assertTrue(never.path().toString().endsWith(".hprof"));
    }

    @Test
    void plainAndCompressedDumpsAreKeptTogetherUnderKeep() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
        Path oldGz = Files.writeString(tmp.resolve("headroom-11-20240101T000000000Z-aaaaaa.hprof.gz"), "1");
        Path oldPlain = Files.writeString(tmp.resolve("headroom-12-20240102T000000000Z-bbbbbb.hprof"), "2");
        HeapDumper dumper = fake(tmp, fixtureMountinfo("ext4", tmp),
                new HeapDumper.Settings(true, false, 1, 2, 0, HeapDumper.Compression.GZIP), p -> 10_000 * MIB,
                new ArrayList<>());

        HeapDumpResult r = dumper.dump();

        assertEquals(EvidenceStatus.DONE, r.status(), r.reason());
        assertFalse(Files.exists(oldGz), "the oldest, compressed, went");
        assertTrue(Files.exists(oldPlain));
    }

    @Test
    void dumpsTheTestJvmCompressedThroughAFullCollection() throws IOException {
        assumeTrue(GzipHeapDump.unavailable() == null, "this JVM cannot: " + GzipHeapDump.unavailable());
        Path dumps = tmp.resolve("dumps");
        HeapDumper dumper = new HeapDumper(new EvidenceDirectory(dumps), Path.of("/proc"),
                settings(HeapDumper.Compression.GZIP));

        HeapDumpResult r = dumper.dump();

        assertEquals(EvidenceStatus.DONE, r.status(), r.reason());
        assertTrue(r.path().getFileName().toString().endsWith(".hprof.gz"), r.path().toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.path())));
        assertFalse(Hprof.startsWithHeader(r.path()));
        Hprof.Walk walk = Hprof.walk(r.path());
        assertTrue(walk.version().startsWith("JAVA PROFILE 1.0."), walk.version());
        assertTrue(walk.heapRecords() > 0, "no heap dump record");
        assertTrue(Double.isNaN(dumper.measuredBytesPerSecond()), "a compressed dump's speed is not the plain one's");
        // HotSpot names every later full-GC dump after this one: no second through this route.
        assertTrue(GzipHeapDump.unavailable().contains("already"), GzipHeapDump.unavailable());
        com.sun.management.HotSpotDiagnosticMXBean hotspot =
                ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        assertEquals("false", hotspot.getVMOption("HeapDumpAfterFullGC").getValue(), "flags put back");
        assertEquals("0", hotspot.getVMOption("HeapDumpGzipLevel").getValue());
        assertEquals("", hotspot.getVMOption("HeapDumpPath").getValue());
    }

    @Test
    void whereTheJvmCannotCompressGzipFallsBackToAPlainDumpAndAutoSaysWhy() throws IOException {
        HeapDumper.Dump noGzip = new HeapDumper.Dump() {
            @Override
            public void write(String path, boolean live, boolean gzip) throws IOException {
                assertFalse(gzip, "never asked for what it cannot do");
                writeFakeDump(path, live, false);
            }

            @Override
            public String gzipUnavailable() {
                return "-XX:+DisableExplicitGC is set";
            }
        };
        HeapDumpResult gzipRoomy = new HeapDumper(directory(tmp.resolve("a")), fixtureMountinfo("ext4", tmp),
                settings(HeapDumper.Compression.GZIP), p -> 10_000 * MIB, () -> 100 * MIB, noGzip, () -> CLOCK, 4242,
                () -> "aaaaaa").dump();
        assertEquals(EvidenceStatus.DONE, gzipRoomy.status(), gzipRoomy.reason());
        assertTrue(gzipRoomy.path().toString().endsWith(".hprof"), "plain where the disk has room");

        HeapDumpResult gzipTight = new HeapDumper(directory(tmp.resolve("b")), fixtureMountinfo("ext4", tmp),
                settings(HeapDumper.Compression.GZIP), p -> 150 * MIB, () -> 100 * MIB, noGzip, () -> CLOCK, 4242,
                () -> "bbbbbb").dump();
        assertEquals(EvidenceStatus.SKIPPED, gzipTight.status());
        assertTrue(gzipTight.reason().contains("DisableExplicitGC"), gzipTight.reason());

        HeapDumpResult auto = new HeapDumper(directory(tmp.resolve("c")), fixtureMountinfo("ext4", tmp),
                settings(HeapDumper.Compression.AUTO), p -> 150 * MIB, () -> 100 * MIB, noGzip, () -> CLOCK, 4242,
                () -> "cccccc").dump(true, 600);
        assertEquals(EvidenceStatus.SKIPPED, auto.status());
        assertTrue(auto.reason().contains("no compressed dump: -XX:+DisableExplicitGC is set"), auto.reason());
    }

    private static HeapDumper.Settings settings(HeapDumper.Compression compression) {
        return new HeapDumper.Settings(true, false, 1, 3, HeapDumper.Settings.DEFAULT_MARGIN_BYTES, compression);
    }

    @Test
    void oldDumpsThatRetentionWouldDeleteCountAsRoom() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
        Path old = tmp.resolve("headroom-7-20240101T000000000Z-abcdef.hprof");
        Files.write(old, new byte[(int) (30 * MIB)]);
        HeapDumper.Settings keepOne = new HeapDumper.Settings(true, false, 1, 1, 64 * MIB);
        HeapDumper dumper = fake(tmp, fixtureMountinfo("ext4", tmp), keepOne, p -> 150 * MIB, new ArrayList<>());

        HeapDumpResult r = dumper.dump();

        assertEquals(EvidenceStatus.DONE, r.status(), r.reason());
        assertFalse(Files.exists(old));
    }

    @Test
    void keepsAtMostKeepOfOurDumpsDeletingTheOldestAndNothingElse() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
        Path oldest = Files.writeString(tmp.resolve("headroom-11-20240101T000000000Z-aaaaaa.hprof"), "1");
        Path older = Files.writeString(tmp.resolve("headroom-12-20240102T000000000Z-bbbbbb.hprof"), "2");
        Path old = Files.writeString(tmp.resolve("headroom-9-20240103T000000000Z-cccccc.hprof"), "3");
        Path foreign = Files.writeString(tmp.resolve("java_pid1.hprof"), "not ours");
        Path elsewhere = Files.writeString(Files.createDirectory(tmp.resolve("elsewhere")).resolve("precious"), "keep");
        Path link = Files.createSymbolicLink(tmp.resolve("headroom-1-20230101T000000000Z-dddddd.hprof"), elsewhere);
        HeapDumper.Settings settings = new HeapDumper.Settings(true, false, 5, 3, 0);
        HeapDumper dumper = fake(tmp, fixtureMountinfo("ext4", tmp), settings, p -> 10_000 * MIB, new ArrayList<>());

        HeapDumpResult first = dumper.dump();
        HeapDumpResult second = dumper.dump();

        assertEquals(EvidenceStatus.DONE, first.status());
        assertEquals(EvidenceStatus.DONE, second.status());
        assertFalse(Files.exists(oldest));
        assertFalse(Files.exists(older));
        assertTrue(Files.exists(old));
        assertTrue(Files.exists(first.path()));
        assertTrue(Files.exists(second.path()));
        assertTrue(Files.exists(foreign));
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("keep", Files.readString(elsewhere));
    }

    @Test
    void aSharedWorkingDirectoryGetsAPrivateSubdirectory() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        HeapDumper dumper = fake(tmp, fixtureMountinfo("ext4", tmp), HeapDumper.Settings.defaults(), p -> 10_000 * MIB,
                new ArrayList<>());

        HeapDumpResult r = dumper.dump();

        Path sub = tmp.resolve(EvidenceDirectory.PRIVATE_SUBDIRECTORY);
        assertEquals(sub, r.path().getParent());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sub)));
    }

    @Test
    void aSymbolicLinkPrePlacedAsThePrivateSubdirectoryIsNotFollowed() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path attacker = Files.createDirectory(tmp.resolve("attacker"));
        Files.createSymbolicLink(tmp.resolve(EvidenceDirectory.PRIVATE_SUBDIRECTORY), attacker);
        List<String> written = new ArrayList<>();
        HeapDumper dumper = fake(tmp, fixtureMountinfo("ext4", tmp), HeapDumper.Settings.defaults(), p -> 10_000 * MIB,
                written);

        HeapDumpResult r = dumper.dump();

        assertEquals(EvidenceStatus.SKIPPED, r.status());
        assertTrue(r.reason().contains("symbolic link"), r.reason());
        assertTrue(written.isEmpty());
        try (Stream<Path> files = Files.list(attacker)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void aSymbolicLinkAtTheDumpsNameIsNotFollowedAFreshNameIsUsed() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
        Path target = Files.writeString(Files.createDirectory(tmp.resolve("elsewhere")).resolve("target"), "intact");
        String taken = EvidenceFiles.name(4242, CLOCK, "aaaaaa", ".hprof");
        Path link = Files.createSymbolicLink(tmp.resolve(taken), target);
        Iterator<String> randoms = List.of("aaaaaa", "bbbbbb").iterator();
        HeapDumper dumper = new HeapDumper(directory(tmp), fixtureMountinfo("ext4", tmp), HeapDumper.Settings.defaults(),
                p -> 10_000 * MIB, () -> 100 * MIB, (path, live, gzip) -> writeFakeDump(path, live, gzip), () -> CLOCK, 4242, randoms::next);

        HeapDumpResult r = dumper.dump();

        assertEquals(EvidenceStatus.DONE, r.status(), r.reason());
        assertEquals(EvidenceFiles.name(4242, CLOCK, "bbbbbb", ".hprof"), r.path().getFileName().toString());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("intact", Files.readString(target));
    }

    @Test
    void hotSpotRefusesToDumpThroughAnExistingLink() throws IOException {
        // What the fresh name relies on besides the private directory: dumpHeap opens O_EXCL.
        Path target = Files.writeString(tmp.resolve("target"), "intact");
        Path link = Files.createSymbolicLink(tmp.resolve("placed.hprof"), target);
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

        assertThrows(IOException.class, () -> hotspot.dumpHeap(link.toString(), true));
        assertEquals("intact", Files.readString(target));
    }

    @Test
    void aFailedDumpLeavesNoPartialFileAndCountsAsAnAttempt() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
        HeapDumper dumper = new HeapDumper(directory(tmp), fixtureMountinfo("ext4", tmp), HeapDumper.Settings.defaults(),
                p -> 10_000 * MIB, () -> 100 * MIB, (path, live, gzip) -> {
                    Files.write(Path.of(path), new byte[] {1, 2, 3});
                    throw new IOException("No space left on device");
                }, () -> CLOCK, 4242, () -> "cccccc");

        HeapDumpResult r = dumper.dump();

        assertEquals(EvidenceStatus.FAILED, r.status());
        assertTrue(r.reason().contains("No space left on device"), r.reason());
        assertFalse(Files.exists(tmp.resolve(EvidenceFiles.name(4242, CLOCK, "cccccc", ".hprof"))));
        assertEquals(1, dumper.attempts());
        assertEquals(EvidenceStatus.SKIPPED, dumper.dump().status());
    }

    @Test
    void measuresTheWriteSpeedAndEstimatesTheNextDump() {
        HeapDumper dumper = new HeapDumper(directory(tmp), fixtureMountinfo("ext4", tmp), HeapDumper.Settings.defaults(),
                p -> 10_000 * MIB, () -> 100 * MIB, (path, live, gzip) -> writeFakeDump(path, live, gzip), () -> CLOCK, 4242, () -> "dddddd");
        assertTrue(Double.isNaN(dumper.measuredBytesPerSecond()));

        HeapDumpResult r = dumper.dump();

        double rate = dumper.measuredBytesPerSecond();
        assertTrue(r.millis() == 0 ? Double.isNaN(rate) : rate > 0, "rate " + rate + " after " + r.millis() + " ms");
        assertEquals(2.0, HeapDumper.expectedSeconds(400 * MIB, 200.0 * MIB), 1e-9);
        assertEquals(400 * MIB / HeapDumper.DEFAULT_BYTES_PER_SECOND,
                HeapDumper.expectedSeconds(400 * MIB, Double.NaN), 1e-9);
    }

    // --- helpers

    private static void writeFakeDump(String path, boolean live, boolean gzip) throws IOException {
        // As HotSpot does: exclusive creation, never through an existing name.
        byte[] header = "JAVA PROFILE 1.0.2\0".getBytes(StandardCharsets.US_ASCII);
        try (var out = Files.newOutputStream(Path.of(path), java.nio.file.StandardOpenOption.CREATE_NEW)) {
            if (gzip) {
                try (var z = new java.util.zip.GZIPOutputStream(out)) {
                    z.write(header);
                }
            } else {
                out.write(header);
            }
        }
    }

    private static EvidenceDirectory directory(Path dir) {
        return new EvidenceDirectory(dir, () -> null, dir, UID);
    }

    private HeapDumper fake(Path dir, Path mountinfo, HeapDumper.Settings settings, ToLongFunction<Path> space,
                            List<String> written) {
        Supplier<String> random = EvidenceFiles::randomPart;
        long[] clock = {CLOCK};
        return new HeapDumper(directory(dir), mountinfo, settings, space, () -> 100 * MIB,
                (path, live, gzip) -> {
                    writeFakeDump(path, live, gzip);
                    written.add(path);
                }, () -> clock[0]++, 4242, random);
    }

    /** A mountinfo shaped like a container's, with {@code dir} mounted as {@code fsType}. */
    private Path fixtureMountinfo(String fsType, Path dir) {
        try {
            String real = dir.toRealPath().toString().replace(" ", "\\040");
            String text = """
                    612 520 0:52 / / rw,relatime master:289 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
                    613 612 0:55 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
                    614 612 0:56 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755
                    617 614 0:51 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=65536k
                    620 612 254:1 /var/lib/kubelet/pods/x/volumes/dumps %s rw,relatime - %s /dev/vda1 rw
                    """.formatted(real, fsType);
            Path f = Files.createTempFile("mountinfo", "");
            Files.writeString(f, text);
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void evidenceFilesMatchOnlyOurPattern() {
        assertTrue(EvidenceFiles.ours("headroom-1-20240101T000000000Z-abcdef.hprof", ".hprof"));
        assertFalse(EvidenceFiles.ours("headroom-x-20240101T000000000Z-abcdef.hprof", ".hprof"));
        assertFalse(EvidenceFiles.ours("java_pid1.hprof", ".hprof"));
        assertFalse(EvidenceFiles.ours("headroom-1-20240101T000000000Z-abcdef.histo.txt", ".hprof"));
        assertEquals("headroom-4242-20240501T101500000Z-abcdef.hprof", EvidenceFiles.name(4242, CLOCK, "abcdef", ".hprof"));
        assertEquals(6, EvidenceFiles.randomPart().length());
    }
}
