package dev.headroom.sense.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.headroom.sense.process.ProcessStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PseudoFilesTest {

    @TempDir
    Path temp;

    @Test
    void aProcFileKeptOpenShowsFreshContentOnEveryRead() throws Exception {
        Path status = Path.of("/proc/self/status");
        assumeTrue(Files.isReadable(status) && PseudoFiles.isKernelFileSystem(status.getParent()), "no procfs here");
        try (PseudoFiles files = new PseudoFiles()) {
            files.load(status);
            int before = ProcessStatus.parse(files.text()).threads();
            assertEquals(1, files.openCount(), "procfs files stay open");

            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread extra = new Thread(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException ignored) {
                    // ends
                }
            });
            extra.start();
            started.await();
            try {
                files.load(status);
                int during = ProcessStatus.parse(files.text()).threads();
                assertTrue(during > before, "threads before " + before + ", with one more started " + during);
                assertEquals(1, files.openCount(), "read again through the same descriptor");
            } finally {
                release.countDown();
                extra.join();
            }
        }
    }

    @Test
    void aRegularFileIsOpenedForEveryReadSoAReplacementIsSeen() throws IOException {
        Path file = temp.resolve("memory.current");
        Files.writeString(file, "100\n");
        PseudoFiles files = new PseudoFiles();
        files.load(file);
        assertEquals("100\n", files.text().toString());

        Files.delete(file);
        Files.writeString(file, "200000\n");
        files.load(file);
        assertEquals("200000\n", files.text().toString());
        assertEquals(0, files.openCount(), "fixtures are not kept open");
    }

    @Test
    void aMissingFileFailsWithNoSuchFile() {
        PseudoFiles files = new PseudoFiles();
        assertThrows(NoSuchFileException.class, () -> files.load(temp.resolve("absent")));
    }

    @Test
    void aFileLargerThanTheBufferIsReadWhole() throws IOException {
        Path file = temp.resolve("cgroup.procs");
        Files.writeString(file, "7\n".repeat(20_000));
        PseudoFiles files = new PseudoFiles();
        assertEquals(40_000, files.load(file));
        assertEquals(40_000, files.text().length());
        assertEquals('7', files.text().charAt(39_998));
    }

    @Test
    void closeLetsGoOfEveryKeptFileAndALaterReadOpensItAgain() throws IOException {
        Path status = Path.of("/proc/self/status");
        Path stat = Path.of("/proc/self/stat");
        assumeTrue(Files.isReadable(status) && PseudoFiles.isKernelFileSystem(status.getParent()), "no procfs here");
        PseudoFiles files = new PseudoFiles();
        files.load(status);
        files.load(stat);
        assertEquals(2, files.openCount());
        files.close();
        assertEquals(0, files.openCount());
        assertTrue(files.load(status) > 0);
        assertEquals(1, files.openCount());
        files.close();
    }
}
