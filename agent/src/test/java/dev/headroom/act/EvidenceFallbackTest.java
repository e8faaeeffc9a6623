package dev.headroom.act;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where evidence goes when the dump directory cannot be had (issue 15, item 5). */
class EvidenceFallbackTest {

    private static final long UID = EvidenceDirectory.effectiveUid(Path.of("/proc"));

    @TempDir
    Path tmp;

    @Test
    void aDumpDirBelowAFileSaysNotADirectory() throws IOException {
        Path file = Files.writeString(tmp.resolve("passwd"), "root:x:0:0\n");
        EvidenceDirectory.Prepared p = new EvidenceDirectory(file.resolve("dumps"), () -> null, tmp, UID, tmp).prepare();
        assertFalse(p.ok());
        assertEquals(file + " is not a directory", p.reason());
    }

    @Test
    void smallEvidenceGoesToAPrivateDirectoryOfOursWhenTheDumpDirIsRefused() throws IOException {
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        // Someone else's file where our private subdirectory should be.
        Files.writeString(shared.resolve(EvidenceDirectory.PRIVATE_SUBDIRECTORY), "planted");
        Path fallbackBase = Files.createDirectory(tmp.resolve("tmpdir"));
        EvidenceDirectory d = new EvidenceDirectory(shared, () -> null, tmp, UID, fallbackBase);
        assertFalse(d.prepare().ok());
        EvidenceDirectory.Prepared small = d.prepareSmall();
        assertTrue(small.ok(), small.reason());
        assertEquals(fallbackBase.resolve("headroom-" + UID), small.dir());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(small.dir())));
        assertNull(small.reason());
    }

    @Test
    void aFallbackSomeoneElsePlantedIsRefusedToo() throws IOException {
        Path fallbackBase = Files.createDirectory(tmp.resolve("tmpdir"));
        Files.createSymbolicLink(fallbackBase.resolve("headroom-" + UID), tmp);
        EvidenceDirectory d = new EvidenceDirectory(tmp.resolve("x").resolve("y"), () -> null,
                tmp, UID, fallbackBase);
        Files.writeString(tmp.resolve("x"), "a file");
        EvidenceDirectory.Prepared small = d.prepareSmall();
        assertFalse(small.ok());
        assertTrue(small.reason().contains("is a symbolic link; not following it"), small.reason());
    }

    @Test
    void whenTheDumpDirIsFineSmallEvidenceGoesThereToo() throws IOException {
        Path dir = tmp.resolve("evidence");
        EvidenceDirectory d = new EvidenceDirectory(dir, () -> null, tmp, UID, tmp.resolve("unused"));
        assertEquals(dir, d.prepareSmall().dir());
    }
}
