package dev.headroom.act;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvidenceDirectoryTest {

    private static final long UID = EvidenceDirectory.effectiveUid(Path.of("/proc"));

    @TempDir
    Path tmp;

    @Test
    void theDumpDirOptionWinsOverHeapDumpPath() {
        EvidenceDirectory d = new EvidenceDirectory(Path.of("evidence"), () -> "/flag", tmp, UID);

        assertEquals(tmp.resolve("evidence"), d.chosen());
    }

    @Test
    void heapDumpPathNamingADirectoryIsThatDirectory() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("dumps"));
        EvidenceDirectory d = new EvidenceDirectory(null, dir::toString, tmp, UID);

        assertEquals(dir, d.chosen());
    }

    @Test
    void heapDumpPathNamingAFileIsThatFilesDirectory() {
        EvidenceDirectory d = new EvidenceDirectory(null, () -> "out/app.hprof", tmp, UID);

        assertEquals(tmp.resolve("out"), d.chosen());
    }

    @Test
    void withNeitherItIsTheWorkingDirectory() {
        EvidenceDirectory d = new EvidenceDirectory(null, () -> "", tmp, UID);

        assertEquals(tmp, d.chosen());
    }

    @Test
    void aMissingDirectoryIsCreated0700AndUsedAsItIs() throws IOException {
        Path dir = tmp.resolve("a/b");
        EvidenceDirectory.Prepared p = new EvidenceDirectory(dir, () -> null, tmp, UID).prepare();

        assertTrue(p.ok(), p.reason());
        assertEquals(dir, p.dir());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void aPrivateSubdirectoryOwnedByUsButLoosenedIsTightened() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path sub = Files.createDirectory(tmp.resolve(EvidenceDirectory.PRIVATE_SUBDIRECTORY));
        Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxrwxrwx"));

        EvidenceDirectory.Prepared p = new EvidenceDirectory(null, () -> null, tmp, UID).prepare();

        assertEquals(sub, p.dir());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sub)));
    }

    @Test
    void aDirectoryOwnedBySomeoneElseIsRefused() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectory(tmp.resolve(EvidenceDirectory.PRIVATE_SUBDIRECTORY));

        // As if this process ran as another user than the one owning the directories.
        EvidenceDirectory.Prepared p = new EvidenceDirectory(null, () -> null, tmp, UID + 1).prepare();

        assertFalse(p.ok());
        assertNull(p.dir());
        assertTrue(p.reason().contains("owned by uid"), p.reason());
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "x");

        EvidenceDirectory.Prepared p = new EvidenceDirectory(file, () -> null, tmp, UID).prepare();

        assertFalse(p.ok());
        assertTrue(p.reason().contains("not a directory"), p.reason());
    }

    @Test
    void theEffectiveUidIsTheSecondFieldOfTheUidLine() throws IOException {
        Path proc = tmp.resolve("proc");
        Files.createDirectories(proc.resolve("self"));
        Files.writeString(proc.resolve("self/status"), """
                Name:\tjava
                Umask:\t0022
                State:\tS (sleeping)
                Tgid:\t1
                Pid:\t1
                Uid:\t1000\t1001\t1001\t1001
                Gid:\t1000\t1000\t1000\t1000
                """, StandardCharsets.US_ASCII);

        assertEquals(1001, EvidenceDirectory.effectiveUid(proc));
    }
}
