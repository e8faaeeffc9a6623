package dev.headroom.sense;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SensorTest {

    private static final String CONTAINER = "/kubepods/burstable/pod8f4c2a1e-3b7d-4e9a-9c1f-5d6e7a8b9c0d"
            + "/4a1f0c7e9b2d3e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f";

    @TempDir
    Path temp;

    @Test
    void aCgroupDirectoryThatVanishesIsNotReplacedByItsMountPoint() throws Exception {
        copy(Path.of(SensorTest.class.getResource("/cgroup/v1-host-view").toURI()), temp);
        List<String> problems = new ArrayList<>();
        Sensor sensor = new Sensor(temp.resolve("proc"), temp.resolve("sys/fs/cgroup"), -1,
                (source, message) -> problems.add(source));
        Path dir = temp.resolve("sys/fs/cgroup/memory" + CONTAINER);
        // A real root has its own counters (the whole machine's); the fixture's has only the limit.
        for (String file : List.of("memory.usage_in_bytes", "memory.stat")) {
            Files.copy(dir.resolve(file), temp.resolve("sys/fs/cgroup/memory").resolve(file));
        }

        Snapshot before = sensor.sample(1_000, false);
        assertNotNull(before.cgroup());
        assertEquals(536_870_912L, before.limitBytes());

        Files.move(dir, dir.resolveSibling("gone"));
        for (int tick = 0; tick < 3; tick++) {
            // The mount point (the host's root) would be read under the container's name otherwise.
            assertNull(sensor.sample(2_000 + tick, false).cgroup(), "tick " + tick + " after the directory vanished");
        }
        assertTrue(problems.contains("cgroup"), problems.toString());

        Files.move(dir.resolveSibling("gone"), dir);
        Snapshot after = sensor.sample(3_000, false);
        assertNotNull(after.cgroup(), "read again once the directory is back");
        assertEquals(CONTAINER, after.cgroup().cgroupPath());
        assertEquals(536_870_912L, after.limitBytes());
    }

    @Test
    void theMountPointFallbackStillServesAProcessWhoseDirectoryNeverExisted() throws Exception {
        copy(Path.of(SensorTest.class.getResource("/cgroup/v1-host-view").toURI()), temp);
        // JDK-8286212 shape: the container's own cgroup is what is mounted, while /proc/self/cgroup
        // still shows the host's path, which does not exist below the mount point.
        Path memory = temp.resolve("sys/fs/cgroup/memory");
        Path dir = memory.resolve(CONTAINER.substring(1));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                if (Files.isRegularFile(p)) {
                    Files.copy(p, memory.resolve(p.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        try (Stream<Path> files = Files.walk(memory.resolve("kubepods"))) {
            for (Path p : files.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.delete(p);
            }
        }
        Sensor sensor = new Sensor(temp.resolve("proc"), temp.resolve("sys/fs/cgroup"), -1, (source, message) -> { });

        Snapshot first = sensor.sample(1_000, false);
        assertNotNull(first.cgroup(), "the mount point stands for the cgroup");
        assertEquals(536_870_912L, first.limitBytes());
        assertNotNull(sensor.sample(2_000, false).cgroup(), "and goes on doing so");
    }

    @Test
    void withTheLimitOptionAndAnUnlimitedCgroupTheProcessItselfIsWatched() throws Exception {
        copy(Path.of(SensorTest.class.getResource("/cgroup/v1-host-view").toURI()), temp);
        // A laptop's or a CI runner's cgroup: no limit anywhere up the hierarchy (v1's "unlimited").
        try (Stream<Path> files = Files.walk(temp.resolve("sys/fs/cgroup/memory"))) {
            for (Path p : files.filter(f -> f.getFileName().toString().equals("memory.limit_in_bytes")).toList()) {
                Files.writeString(p, "9223372036854771712\n");
            }
        }
        Path stat = temp.resolve("sys/fs/cgroup/memory" + CONTAINER + "/memory.stat");
        Files.writeString(stat, Files.readString(stat).replace("hierarchical_memory_limit 536870912",
                "hierarchical_memory_limit 9223372036854771712"));
        Files.writeString(temp.resolve("proc/self/status"), """
                Name:\tjava
                VmSize:\t 3500000 kB
                VmRSS:\t  102400 kB
                RssAnon:\t   81920 kB
                RssFile:\t   19456 kB
                RssShmem:\t    1024 kB
                VmSwap:\t       0 kB
                Threads:\t20
                """);
        Snapshot s = new Sensor(temp.resolve("proc"), temp.resolve("sys/fs/cgroup"), 256L << 20, (source, message) -> { })
                .sample(1_000, false);

        assertNotNull(s.cgroup(), "the cgroup is still read");
        assertTrue(s.watchesProcess());
        assertEquals(256L << 20, s.limitBytes());
        assertEquals(Snapshot.LIMIT_OPTION, s.limitSource());
        assertEquals(100L << 20, s.workingSetBytes(), "VmRSS, not the cgroup's working set");
        assertEquals(81L << 20, s.unreclaimableBytes(), "RssAnon + RssShmem");
    }

    @Test
    void aCgroupWithALimitIsWatchedEvenWithTheLimitOption() throws Exception {
        copy(Path.of(SensorTest.class.getResource("/cgroup/v1-host-view").toURI()), temp);
        Snapshot s = new Sensor(temp.resolve("proc"), temp.resolve("sys/fs/cgroup"), 256L << 20, (source, message) -> { })
                .sample(1_000, false);

        assertFalse(s.watchesProcess());
        assertEquals(536_870_912L, s.limitBytes());
        assertEquals(s.cgroup().workingSetBytes(), s.workingSetBytes());
    }

    @Test
    void aQuickLookCallsAFullSampleWhenTheOwnV1LimitChanged() throws Exception {
        copy(Path.of(SensorTest.class.getResource("/cgroup/v1-host-view").toURI()), temp);
        Sensor sensor = new Sensor(temp.resolve("proc"), temp.resolve("sys/fs/cgroup"), -1, (source, message) -> { });
        Path limit = temp.resolve("sys/fs/cgroup/memory" + CONTAINER + "/memory.limit_in_bytes");
        Snapshot first = sensor.sample(1_000, false);
        long usage = first.cgroup().usageBytes();
        assertEquals(usage, sensor.quickUsageBytes(), "nothing changed: the usage");

        Files.writeString(limit, "268435456\n");
        assertEquals(-1, sensor.quickUsageBytes(), "an in-place resize: a full sample, now");
        assertEquals(-1, sensor.quickUsageBytes(), "until a full sample has read it");
        assertEquals(268_435_456L, sensor.sample(2_000, false).limitBytes());
        assertEquals(usage, sensor.quickUsageBytes(), "read: quick looks again");
    }

    @Test
    void aQuickLookCallsAFullSampleWhenTheOwnV2MaxOrHighChanged() throws Exception {
        copy(Path.of(SensorTest.class.getResource("/cgroup/v2-kubernetes-nested").toURI()), temp);
        Sensor sensor = new Sensor(temp.resolve("proc"), temp.resolve("sys/fs/cgroup"), -1, (source, message) -> { });
        Path pod = temp.resolve("sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234_5678.slice");
        Path container = pod.resolve("cri-containerd-0123abcd.scope");
        long usage = sensor.sample(1_000, false).cgroup().usageBytes();
        assertEquals(usage, sensor.quickUsageBytes());

        Files.writeString(container.resolve("memory.max"), "805306368\n");
        assertEquals(-1, sensor.quickUsageBytes(), "memory.max set on the container");
        assertEquals(805_306_368L, sensor.sample(2_000, false).limitBytes());
        assertEquals(usage, sensor.quickUsageBytes());

        Files.writeString(container.resolve("memory.high"), "700000000\n");
        assertEquals(-1, sensor.quickUsageBytes(), "memory.high changed");
        assertEquals(700_000_000L, sensor.sample(3_000, false).cgroup().highBytes());
        assertEquals(usage, sensor.quickUsageBytes());

        // A parent's limit is left to the periodic full sample (documented): one read a tick is the cost.
        Files.writeString(pod.resolve("memory.max"), "536870912\n");
        assertEquals(usage, sensor.quickUsageBytes(), "the pod's limit is not looked at by a quick tick");
        assertEquals(536_870_912L, sensor.sample(4_000, false).limitBytes());
    }

    private static void copy(Path from, Path to) throws IOException, URISyntaxException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
