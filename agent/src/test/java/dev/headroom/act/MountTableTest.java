package dev.headroom.act;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MountTableTest {

    @TempDir
    Path tmp;

    private Path mountinfo() throws IOException {
        return Files.writeString(tmp.resolve("mountinfo"), """
                22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
                24 22 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334492k,nr_inodes=3083623,mode=755
                25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24684092k
                30 25 0:27 / /dev/shm rw,relatime - ramfs ramfs rw
                40 22 254:1 / /data/my\\040dumps rw,relatime shared:7 - xfs /dev/vdb rw
                41 22 0:40 / /hugepages rw,relatime - hugetlbfs hugetlbfs rw,pagesize=2M
                garbage line
                """);
    }

    @Test
    void theLongestMountPointContainingTheDirectoryDecides() throws IOException {
        assertEquals("ext4", MountTable.fileSystemType(mountinfo(), Path.of("/var/dumps")));
        assertEquals("devtmpfs", MountTable.fileSystemType(mountinfo(), Path.of("/dev/x")));
        assertEquals("hugetlbfs", MountTable.fileSystemType(mountinfo(), Path.of("/hugepages/a")));
    }

    @Test
    void aLaterMountOnTheSamePointStacksOnTop() throws IOException {
        assertEquals("ramfs", MountTable.fileSystemType(mountinfo(), Path.of("/dev/shm/dumps")));
    }

    @Test
    void mountPointsMatchOnlyAtAPathComponentBoundary() throws IOException {
        assertEquals("devtmpfs", MountTable.fileSystemType(mountinfo(), Path.of("/dev/shmem")));
    }

    @Test
    void escapedSpacesInMountPointsAreUnderstood() throws IOException {
        assertEquals("xfs", MountTable.fileSystemType(mountinfo(), Path.of("/data/my dumps/x")));
    }

    @Test
    void memoryBackedTypesAreTheOnesWhosePagesAreCharged() {
        assertTrue(MountTable.memoryBacked("tmpfs"));
        assertTrue(MountTable.memoryBacked("ramfs"));
        assertTrue(MountTable.memoryBacked("hugetlbfs"));
        assertTrue(MountTable.memoryBacked("devtmpfs"));
        assertFalse(MountTable.memoryBacked("overlay"));
        assertFalse(MountTable.memoryBacked(null));
    }

    @Test
    void anEmptyTableKnowsNoType() throws IOException {
        assertNull(MountTable.fileSystemType(Files.writeString(tmp.resolve("empty"), ""), Path.of("/x")));
    }
}
