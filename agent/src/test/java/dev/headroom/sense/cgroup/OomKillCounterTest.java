package dev.headroom.sense.cgroup;

import static dev.headroom.sense.cgroup.CgroupLocatorTest.V2_CONTAINER;
import static dev.headroom.sense.cgroup.CgroupLocatorTest.V2_POD;
import static dev.headroom.sense.cgroup.CgroupTree.HOST_16_GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OomKillCounterTest {

    /** memory.events of a real 6.1 kernel's container cgroup after its OOM kill (the v2 guest). */
    static final String GUEST_EVENTS = CgroupTree.resourceText("v2-guest-6.1/oom/memory.events");

    @TempDir
    Path temp;

    @Test
    void v2CountsInThePodsCgroupWhichOutlivesTheContainers() throws IOException {
        CgroupTree tree = new CgroupTree(temp)
                .write("proc/self/mountinfo", CgroupTree.V2_MOUNT)
                .write("proc/self/cgroup", "0::" + V2_CONTAINER + "\n")
                .cgroupFile("/", "cgroup.controllers", "memory\n")
                .cgroupFile(V2_POD, "cgroup.procs", "")
                .cgroupFile(V2_POD, "memory.events", GUEST_EVENTS)
                .cgroupFile(V2_CONTAINER, "cgroup.controllers", "memory\n")
                .cgroupFile(V2_CONTAINER, "memory.current", "4096\n")
                .cgroupFile(V2_CONTAINER, "memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");

        OomKillCounter counter = OomKillCounter.of(tree.reader(HOST_16_GIB));
        assertEquals(tree.cgroupRoot().resolve(V2_POD.substring(1)).resolve("memory.events"), counter.file());
        assertEquals(3, counter.read());
    }

    @Test
    void v2InAPrivateNamespaceCountsInItsOwnCgroupThePodBeingOutOfSight() throws IOException {
        CgroupTree tree = new CgroupTree(temp)
                .write("proc/self/mountinfo", "1027 1026 0:27 " + V2_CONTAINER
                        + " /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw\n")
                .write("proc/self/cgroup", "0::/\n")
                .cgroupFile("/", "cgroup.controllers", "memory\n")
                .cgroupFile("/", "memory.current", "4096\n")
                .cgroupFile("/", "memory.events", GUEST_EVENTS);

        OomKillCounter counter = OomKillCounter.of(tree.reader(HOST_16_GIB));
        assertEquals(tree.cgroupRoot().resolve("memory.events"), counter.file());
        assertEquals(3, counter.read());
    }
}
