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
                boolean growing, String rate, int timeoutSeconds, String java) {

    static final String PERCENT_HEAP = "-XX:MaxRAMPercentage=80";

    /** JDK 25, beside the build's JDK 17: collectors and their pools changed between them. */
    static final String JDK_25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";

    /** A scenario on the build's own JDK. */
    Scenario(String name, String mainClass, List<String> args, List<String> jvmArgs, long limitMiB, boolean growing,
             String rate, int timeoutSeconds) {
        this(name, mainClass, args, jvmArgs, limitMiB, growing, rate, timeoutSeconds, null);
    }

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
                        List.of(PERCENT_HEAP), 512, true, "20 MiB/s (private mappings)", 120),
                // The page cache gives way first, so the working set hardly moves until the end.
                new Scenario("anonymous memory into a cgroup full of page cache", "dev.headroom.samples.AnonIntoPageCache",
                        List.of("400", "10"), List.of("-Xmx64m", "-XX:MaxDirectMemorySize=2g"), 512, true,
                        "10 MiB/s after 400 MiB of page cache", 120),
                // A slow heap leak: the forecast must come a minute ahead, not at the last share.
                new Scenario("slow heap leak", "dev.headroom.samples.HeapGrowth", List.of("2", "60"),
                        List.of(PERCENT_HEAP, "-XX:+UseG1GC"), 384, true, "2 MiB/s heap, 60 MiB direct baseline", 300));
    }

    /** The growing ones whose warning must come at least this long before the kill. */
    static double requiredLeadSeconds(Scenario s) {
        return s.name().equals("slow heap leak") ? 60 : 5;
    }

    /** The healthy ones: each must end normally with no warning and no critical. */
    static List<Scenario> healthyOnes() {
        return List.of(
                new Scenario("GC sawtooth", "dev.headroom.samples.GcSawtooth", List.of("150", "200", "30"),
                        List.of(PERCENT_HEAP), 512, false, "150 MiB live, 200 MiB/s garbage", 90),
                new Scenario("page-cache churn", "dev.headroom.samples.PageCacheChurn", List.of("768", "30"),
                        List.of("-Xmx64m"), 256, false, "768 MiB file read and written", 90),
                // 200 MiB of direct buffers touched at once beside a heap whose max is 80 % of the
                // limit: on a loaded machine the touch spans two samples, which read, for a second,
                // exactly as a fast leak's first ones (warned in 2 of 3 runs before a rise carried
                // by one or two steps counted as a step, and before the direct-memory cap stopped it).
                new Scenario("spike that recovers", "dev.headroom.samples.SpikeThenRecover", List.of("200", "2", "30"),
                        List.of(PERCENT_HEAP), 512, false, "200 MiB for 2 s", 90));
    }

    /**
     * Healthy services, meant for the integration test three times each: every collector at least
     * once, on both JDKs and both MaxRAMPercentage settings, each beside one kind of file work.
     * Short (12 s, a live-set swing every 8 s) to fit the CI budget; {@link #matrix()} is the full
     * set. Asserted by {@link OomKillIT} with {@code -Dit.healthy=services} (or {@code matrix}) and
     * {@code -Dit.healthyRuns=3}; not in CI, for its time (about 130 s more).
     */
    static List<Scenario> healthyServices() {
        return List.of(
                service("G1", "-XX:+UseG1GC", 80, null, "hot", 240),
                service("Serial", "-XX:+UseSerialGC", 80, JDK_25, "stream", 768),
                service("Parallel", "-XX:+UseParallelGC", 50, null, "mmap", 768),
                service("ZGC", "-XX:+UseZGC", 80, JDK_25, "write", 256),
                service("Shenandoah", "-XX:+UseShenandoahGC", 50, null, "churn", 0));
    }

    /**
     * The results command's healthy matrix: GC churn on every collector, JDK 17 and 25,
     * MaxRAMPercentage 50 and 80, beside no file work, and each file kind on G1.
     */
    static List<Scenario> matrix() {
        List<Scenario> all = new java.util.ArrayList<>();
        String[][] collectors = {{"Serial", "-XX:+UseSerialGC"}, {"Parallel", "-XX:+UseParallelGC"},
                {"G1", "-XX:+UseG1GC"}, {"ZGC", "-XX:+UseZGC"}, {"Shenandoah", "-XX:+UseShenandoahGC"}};
        for (String java : new String[] {null, JDK_25}) {
            for (int percent : new int[] {50, 80}) {
                for (String[] c : collectors) {
                    all.add(service(c[0], c[1], percent, java, "churn", 0));
                }
            }
        }
        all.add(service("G1", "-XX:+UseG1GC", 80, null, "hot", 240));
        all.add(service("G1", "-XX:+UseG1GC", 80, null, "stream", 768));
        all.add(service("G1", "-XX:+UseG1GC", 80, null, "mmap", 768));
        all.add(service("G1", "-XX:+UseG1GC", 80, null, "write", 256));
        return all;
    }

    private static Scenario service(String collector, String flag, int percent, String java, String mode, long fileMib) {
        String what = switch (mode) {
            case "hot" -> fileMib + " MiB file kept hot in page cache";
            case "stream" -> fileMib + " MiB file streamed through";
            case "mmap" -> fileMib + " MiB read-only mapping read at random";
            case "write" -> fileMib + " MiB file rewritten, fsync every 16 MiB";
            default -> "GC churn only";
        };
        String name = collector + ", MaxRAMPercentage=" + percent + ", JDK " + (java == null ? "17" : "25") + ": " + what;
        return new Scenario(name, "dev.headroom.samples.HealthyService",
                List.of(mode, Long.toString(fileMib), "12", "20", "120", "100", "-", "8"),
                List.of(flag, "-XX:MaxRAMPercentage=" + percent), 512, false,
                "live 20..120 MiB, 100 MiB/s garbage", 60, java);
    }
}
