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
    void aKernelFileServedInSeveralReadsIsReadWhole() throws IOException {
        // /proc/self/maps is a seq_file of one record a mapping: the kernel hands it out about a page
        // a read, short of what was asked. Only a short read well inside a page may end the load.
        Path maps = Path.of("/proc/self/maps");
        assumeTrue(Files.isReadable(maps) && PseudoFiles.isKernelFileSystem(maps.getParent()), "no procfs here");
        try (PseudoFiles files = new PseudoFiles()) {
            int n = files.load(maps);
            assertTrue(n > 2 * PseudoFiles.SHORT_READ_IS_ALL, "a JVM has hundreds of mappings; read " + n);
            String text = files.text().toString();
            java.util.List<String> lines = Files.readAllLines(maps);
            // The highest mapping (the stack, vsyscall) stays put while the test runs.
            assertTrue(text.endsWith(lines.get(lines.size() - 1) + "\n"), "the last line was read");
            assertEquals(1, files.openCount());
        }
    }

    @Test
    void cgroupV1PidListsAreOpenedForEveryRead() throws IOException {
        // v1 caches a pid list per open file for as long as it is read within a second of the last
        // read: a kept descriptor would list a process that has left. This host's own v1 memory cgroup.
        Path dir = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && java.util.Arrays.asList(f[1].split(",")).contains("memory")) {
                dir = Path.of("/sys/fs/cgroup/memory" + f[2]);
            }
        }
        assumeTrue(dir != null && Files.isReadable(dir.resolve("cgroup.procs"))
                && "cgroup".equals(Files.getFileStore(dir).type()), "no cgroup v1 memory hierarchy here");
        try (PseudoFiles files = new PseudoFiles()) {
            files.load(dir.resolve("memory.stat"));
            assertEquals(1, files.openCount(), "memory.stat stays open");
            files.load(dir.resolve("cgroup.procs"));
            assertTrue(files.text().toString().contains(Long.toString(ProcessHandle.current().pid())));
            assertEquals(1, files.openCount(), "cgroup.procs is not kept");
        }
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
