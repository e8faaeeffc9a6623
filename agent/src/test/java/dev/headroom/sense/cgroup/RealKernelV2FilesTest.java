package dev.headroom.sense.cgroup;

import static dev.headroom.sense.cgroup.CgroupTree.HOST_16_GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The v2 reader on files copied whole from a real 6.1 kernel (the v2 guest of CgroupV2IT): a cgroup
 * throttled at memory.high, one full of page cache, one just after an OOM kill. Every value the reader
 * reports must be the kernel's, key for key.
 */
class RealKernelV2FilesTest {

    private static final String CGROUP = "/headroom-v2";

    private static Map<String, Long> keyed(String text) {
        Map<String, Long> values = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] kv = line.split(" ");
            if (kv.length == 2) {
                values.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return values;
    }

    private static String file(String fixture, String name) {
        return CgroupTree.resourceText("v2-guest-6.1/" + fixture + "/" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"high-throttled", "page-cache-full", "oom"})
    void everyValueIsTheKernelsOwn(String fixture, @org.junit.jupiter.api.io.TempDir Path temp) throws IOException {
        CgroupTree tree = new CgroupTree(temp)
                .write("proc/self/mountinfo", "29 28 0:25 / /sys/fs/cgroup rw,relatime - cgroup2 none rw\n")
                .write("proc/self/cgroup", "0::" + CGROUP + "\n")
                .cgroupFile("/", "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
        for (String name : new String[] {"memory.stat", "memory.events", "memory.pressure", "memory.current",
                "memory.max", "memory.high", "memory.swap.current", "cgroup.controllers"}) {
            tree.cgroupFile(CGROUP, name, file(fixture, name));
        }
        CgroupMemory memory = tree.reader(HOST_16_GIB).read();
        Map<String, Long> stat = keyed(file(fixture, "memory.stat"));
        Map<String, Long> events = keyed(file(fixture, "memory.events"));

        assertEquals(Long.parseLong(file(fixture, "memory.current").trim()), memory.usageBytes());
        assertEquals(Long.parseLong(file(fixture, "memory.max").trim()), memory.limitBytes());
        String high = file(fixture, "memory.high").trim();
        assertEquals(high.equals("max") ? -1 : Long.parseLong(high), memory.highBytes());
        assertEquals(stat.get("anon"), memory.stat().anon());
        assertEquals(stat.get("file"), memory.stat().file());
        assertEquals(stat.get("inactive_file"), memory.stat().inactiveFile());
        assertEquals(stat.get("active_file"), memory.stat().activeFile());
        assertEquals(stat.get("shmem"), memory.stat().shmem());
        assertEquals(stat.get("unevictable"), memory.stat().unevictable());
        assertEquals(stat.get("kernel"), memory.stat().kernel());
        assertEquals(stat.get("slab"), memory.stat().slab());
        assertEquals(stat.get("file_dirty"), memory.stat().dirty());
        assertEquals(stat.get("file_writeback"), memory.stat().writeback());
        assertEquals(stat.size(), memory.stat().raw().size(), "every key of memory.stat kept");
        assertEquals(new MemoryEvents(events.get("low"), events.get("high"), events.get("max"), events.get("oom"),
                events.get("oom_kill"), -1, false), memory.events());
        String pressure = file(fixture, "memory.pressure");
        long someTotal = Long.parseLong(pressure.lines().findFirst().orElseThrow().replaceAll(".*total=", ""));
        assertEquals(someTotal, memory.pressure().someTotalMicros());
        assertTrue(memory.pressure().source().endsWith("memory.pressure"), memory.pressure().source());
        assertEquals(Math.max(0, memory.usageBytes() - stat.get("inactive_file")), memory.workingSetBytes());
    }
}
