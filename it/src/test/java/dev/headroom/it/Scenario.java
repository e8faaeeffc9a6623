package dev.headroom.it;

import java.util.List;

/**
 * One way memory grows (or churns harmlessly) in a container: a sample app, its arguments and JVM
 * options, and the cgroup limit it runs under. The same list drives the integration test and the
 * results benchmark ({@link ResultsBenchmark}), so docs/results.md shows exactly what is tested.
 *
 * @param growing whether the kernel must OOM-kill it (and the agent warn first), or it must end
 *                normally with no warning
 * @param rate    the growth rate in words, for the results table
 */
record Scenario(String name, String mainClass, List<String> args, List<String> jvmArgs, long limitMiB,
                boolean growing, String rate, int timeoutSeconds) {

    static final String PERCENT_HEAP = "-XX:MaxRAMPercentage=80";

    @Override
    public String toString() {
        return name;
    }

    /** The growing ones: each must be OOM-killed, after a warning at least 5 s earlier. */
    static List<Scenario> growingOnes() {
        return List.of(
                new Scenario("heap growth", "dev.headroom.samples.HeapGrowth", List.of("30", "120"),
                        List.of(PERCENT_HEAP, "-XX:+UseG1GC"), 512, true, "30 MiB/s heap, 120 MiB direct baseline", 120),
                new Scenario("direct buffers", "dev.headroom.samples.DirectBufferGrowth", List.of("20"),
                        List.of(PERCENT_HEAP, "-XX:MaxDirectMemorySize=2g"), 512, true, "20 MiB/s", 120),
                new Scenario("native (zlib)", "dev.headroom.samples.NativeGrowth", List.of("150"),
                        List.of(PERCENT_HEAP), 512, true, "150 Deflaters/s (~38 MiB/s)", 120),
                new Scenario("metaspace", "dev.headroom.samples.MetaspaceGrowth", List.of("400"),
                        List.of(PERCENT_HEAP), 512, true, "400 classes/s", 120),
                new Scenario("threads", "dev.headroom.samples.ThreadGrowth", List.of("150"),
                        List.of(PERCENT_HEAP), 512, true, "150 threads/s, 512 KiB stack each", 120),
                new Scenario("tmpfs (/dev/shm)", "dev.headroom.samples.TmpfsGrowth", List.of("20"),
                        List.of(PERCENT_HEAP), 512, true, "20 MiB/s", 120),
                new Scenario("mapped files", "dev.headroom.samples.MappedFileGrowth", List.of("20"),
                        List.of(PERCENT_HEAP), 512, true, "20 MiB/s (private mappings)", 120));
    }

    /** The healthy ones: each must end normally with no warning and no critical. */
    static List<Scenario> healthyOnes() {
        return List.of(
                new Scenario("GC sawtooth", "dev.headroom.samples.GcSawtooth", List.of("150", "200", "30"),
                        List.of(PERCENT_HEAP), 512, false, "150 MiB live, 200 MiB/s garbage", 90),
                new Scenario("page-cache churn", "dev.headroom.samples.PageCacheChurn", List.of("768", "30"),
                        List.of("-Xmx64m"), 256, false, "768 MiB file read and written", 90),
                new Scenario("spike that recovers", "dev.headroom.samples.SpikeThenRecover", List.of("200", "2", "30"),
                        List.of(PERCENT_HEAP), 512, false, "200 MiB for 2 s", 90));
    }
}
