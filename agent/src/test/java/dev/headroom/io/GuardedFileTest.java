package dev.headroom.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuardedFileTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsCreated0600AndWritten() throws IOException {
        Path file = dir.resolve("events.jsonl");
        try (FileChannel ch = GuardedFile.openForWriting(file, true)) {
            ch.write(ByteBuffer.wrap("x\n".getBytes(StandardCharsets.US_ASCII)));
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("x\n", Files.readString(file));
    }

    @Test
    void aMissingFileIsNotCreatedWhenOnlyAnExistingOneWillDo() {
        assertThrows(NoSuchFileException.class, () -> GuardedFile.openForWriting(dir.resolve("termination-log"), false));
    }

    @Test
    void aSymbolicLinkIsRefusedAndItsTargetUntouched() throws IOException {
        Path secret = Files.writeString(dir.resolve("secret"), "S3cr3t");
        Path link = Files.createSymbolicLink(dir.resolve("events.jsonl"), secret);
        GuardedFile.RefusedException e = assertThrows(GuardedFile.RefusedException.class,
                () -> GuardedFile.openForWriting(link, true));
        assertTrue(e.getMessage().endsWith("is a symbolic link, not a regular file; not opening it"), e.getMessage());
        assertThrows(GuardedFile.RefusedException.class, () -> GuardedFile.read(link, 1024));
        assertEquals("S3cr3t", Files.readString(secret));
    }

    @Test
    void aFifoIsRefusedWithoutWaitingForAReaderOrAWriter() throws Exception {
        Path fifo = dir.resolve("flight.json");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        GuardedFile.RefusedException w = assertTimeoutPreemptively(PROMPTLY,
                () -> assertThrows(GuardedFile.RefusedException.class, () -> GuardedFile.openForWriting(fifo, true)));
        assertTrue(w.getMessage().contains("is a FIFO"), w.getMessage());
        assertTimeoutPreemptively(PROMPTLY,
                () -> assertThrows(GuardedFile.RefusedException.class, () -> GuardedFile.read(fifo, 1024)));
    }

    @Test
    void aDirectoryIsRefused() throws IOException {
        Path d = Files.createDirectory(dir.resolve("events.jsonl"));
        GuardedFile.RefusedException e = assertThrows(GuardedFile.RefusedException.class,
                () -> GuardedFile.openForWriting(d, true));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    }

    @Test
    void inADirectoryOthersCanWriteASecondHardLinkIsRefused() throws IOException {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path mine = Files.writeString(dir.resolve("mine"), "keep");
        Path link = Files.createLink(shared.resolve("events.jsonl"), mine);
        GuardedFile.RefusedException e = assertThrows(GuardedFile.RefusedException.class,
                () -> GuardedFile.openForWriting(link, true));
        assertTrue(e.getMessage().contains("has another hard link"), e.getMessage());
        assertTrue(e.getMessage().contains("writable by others (mode 0777)"), e.getMessage());
        assertEquals("keep", Files.readString(mine));
    }

    @Test
    void aPrivateDirectoryIsNotShared() throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        assertEquals(null, GuardedFile.sharedBy(dir));
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwx---"));
        assertTrue(GuardedFile.sharedBy(open).contains("writable by others (mode 0770)"));
    }

    @Test
    void aRegularFileIsReadWhole() throws IOException {
        Path file = Files.writeString(dir.resolve("flight.json"), "{\"event\":\"flight\"}");
        assertArrayEquals("{\"event\":\"flight\"}".getBytes(StandardCharsets.UTF_8), GuardedFile.read(file, 1024));
        GuardedFile.RefusedException e = assertThrows(GuardedFile.RefusedException.class, () -> GuardedFile.read(file, 4));
        assertTrue(e.getMessage().contains("more than the 4"), e.getMessage());
    }

    @Test
    void fileTypesAreNamed() {
        assertEquals("a FIFO", GuardedFile.kind(0010644));
        assertEquals("a socket", GuardedFile.kind(0140755));
        assertEquals("a character device", GuardedFile.kind(0020666));
    }
}
