package dev.headroom.config;

/**
 * One option the agent accepts: its name, the kind of value, the default and what it means.
 * The list in {@link #values()} is the configuration reference (docs/configuration.md is checked
 * against it by a test).
 */
public enum Key {
    INTERVAL("interval", Kind.DURATION, "1s", "Sampling period: how often the cgroup, the process and the JVM are read."),
    SNAPSHOT_EVERY("snapshotEvery", Kind.DURATION, "10s", "How often a `snapshot` event is written to the event log. Under 10s, every tick it falls on reads"
            + " in full; from 10s on it is written by the full ticks, which far from the limit and steady come"
            + " less often, down to once a minute (quickTicks)."),
    NMT_EVERY("nmtEvery", Kind.DURATION, "10s",
            "How often the Native Memory Tracking summary is read when NMT is on (it is slower than the other reads)."),
    QUICK_TICKS("quickTicks", Kind.BOOLEAN, "true",
            "Far from the limit and steady, ticks only read the cgroup's usage (and its own limit files) and a full"
            + " sample is taken when usage moves (0.5 % of the limit), nears the warning share or memory.high, a limit"
            + " changes, a snapshot is due (snapshotEvery under 10s), or 10 s have passed, a gap that doubles up to"
            + " a minute while the full ticks keep finding usage within a move of the last; every tick is full while"
            + " anything is forecast or above OK. A step to the critical level is still seen within one interval."
            + " false: every tick reads and publishes everything."),
    LIGHT_JIT("lightJit", Kind.BOOLEAN, "true",
            "The agent's own code is compiled by C1 only: a compiler directive excluding dev/headroom/* from C2,"
            + " added through the DiagnosticCommand MBean 10 s after start where the JVM compiles in tiers up to C2"
            + " (C2's compile time for code run once a second costs more than it saves; docs/performance.md)."
            + " The application's code is not touched."),
    EVENT_LOG("eventLog", Kind.PATH, "",
            "Path of the JSON Lines event log; empty: no event log (human lines still go to stderr)."),
    DUMP_DIR("dumpDir", Kind.PATH, "",
            "Directory for heap dumps and other evidence; empty: -XX:HeapDumpPath if set, else the working directory."
            + " Prefer a local disk: the JVM writes a heap dump at a safepoint, so a network file system that stops"
            + " answering mid-dump holds the whole application (docs/security.md)."),
    LIMIT("limit", Kind.BYTES, "",
            "A memory limit to use where the process has no cgroup limit (a laptop, a VM), e.g. 512m; "
                    + "the agent then watches this process's own memory (RSS), not its cgroup's."),
    CGROUP_ROOT("cgroupRoot", Kind.PATH, "/sys/fs/cgroup",
            "Where cgroupfs is mounted; mount points in mountinfo under /sys/fs/cgroup are read below it (for tests)."),
    PROC_ROOT("procRoot", Kind.PATH, "/proc", "Where procfs is mounted (for tests)."),
    QUIET("quiet", Kind.BOOLEAN, "false", "When true, the agent writes nothing to stderr except option errors."),

    HORIZON("horizon", Kind.DURATION, "5m", "Warn when the limit is forecast within this time."),
    WARN_SHARE("warnShare", Kind.SHARE, "0.85", "Warn when the unreclaimable memory (what the kernel cannot reclaim before its OOM killer runs) is above this share of the limit, unless max heap and the rest fit the limit."),
    CRITICAL_SHARE("criticalShare", Kind.SHARE, "0.95",
            "Critical when the unreclaimable memory is above this share of the limit (or the kill is forecast sooner than evidence can be written)."),
    COOLDOWN("cooldown", Kind.DURATION, "60s",
            "After an episode ends, how long before a new warning may be raised."),

    HEAP_DUMP("heapDump", Kind.BOOLEAN, "true", "Take a heap dump at critical."),
    DUMP_LIVE("dumpLive", Kind.BOOLEAN, "true", "Dump only live objects (the dump runs a full GC first and is smaller)."),
    DUMP_FORCE("dumpForce", Kind.BOOLEAN, "false",
            "Allow dumps to a memory-backed file system (tmpfs): its pages count against the same limit."),
    MAX_DUMPS("maxDumps", Kind.INT, "1", "Heap dumps per run at most."),
    DUMP_INTERVAL("dumpInterval", Kind.DURATION, "1h",
            "With maxDumps above 1: the least time between two dumps."),
    KEEP_DUMPS("keepDumps", Kind.INT, "3", "Files of each kind (dump, histogram, NMT) kept in the dump directory; older ones of ours are deleted."),
    DUMP_MARGIN("dumpMargin", Kind.BYTES, "64m", "Free disk required beyond the heap in use (+10%) before dumping."),
    DUMP_COMPRESS("dumpCompress", Kind.STRING, "auto",
            "Heap dumps compressed with gzip (.hprof.gz: about 3 times smaller for a heap of objects, written at"
            + " 20 MiB/s or more): auto: only when the plain dump does not fit the disk and the compressed one has"
            + " twice its expected time before the forecast kill; gzip: always (where the JVM can: G1, Parallel or"
            + " Serial, once per JVM; else plain); off: never. docs/performance.md."),
    DUMP_SPEED("dumpSpeed", Kind.BYTES, "200m",
            "Expected heap dump speed in bytes per second, until a dump on this machine measures it."),
    HISTOGRAM("histogram", Kind.BOOLEAN, "true", "Write a class histogram at critical (also when there is no time for a dump)."),
    HISTOGRAM_LIVE("histogramLive", Kind.BOOLEAN, "false", "Histogram of live objects only (forces a full GC first)."),

    TRIM_NATIVE_HEAP("trimNativeHeap", Kind.BOOLEAN, "false", "Relief at critical: return free malloc memory to the OS (System.trim_native_heap)."),
    GC_ON_CRITICAL("gcOnCritical", Kind.BOOLEAN, "false", "Relief at critical: request a GC."),
    SOFT_MAX_HEAP_SIZE("softMaxHeapSize", Kind.BYTES, "",
            "Relief at critical: lower SoftMaxHeapSize to this, where the collector honours it (ZGC, Shenandoah)."),
    HOOK("hook", Kind.STRING, "", "A command run at warning and critical with the event as JSON on stdin; absolute path required."),
    HOOK_TIMEOUT("hookTimeout", Kind.DURATION, "30s", "The hook is killed after this long."),
    HOOK_OUTPUT("hookOutput", Kind.PATH, "", "File the hook's output is appended to; empty: discarded."),

    FLIGHT_FILE("flightFile", Kind.PATH, "",
            "The flight file with the latest state, rewritten every tick above OK (while OK: when the working set moved by 1 % of the limit, at least once a minute); empty: headroom-flight.json in the dump directory."),
    FLIGHT_HISTORY("flightHistory", Kind.INT, "120", "Samples of history kept in the flight file."),
    TERMINATION_LOG("terminationLog", Kind.STRING, "auto",
            "auto: write /dev/termination-log in Kubernetes; off; or a path to write the termination message to."),
    BUDGET_WARMUP("budgetWarmup", Kind.DURATION, "2m",
            "How long after start the service counts as settled: the first measured budget (each part's peak, the heap ceiling they leave) is written then, and again when a peak grows materially."),

    MICROMETER("micrometer", Kind.BOOLEAN, "true", "Bridge meters into the application's Micrometer registries."),
    METER_NAMES("meterNames", Kind.STRING, "headroom",
            "Names of the bridged meters: headroom (headroom.*), otel (the OpenTelemetry semantic conventions' container.memory.* and k8s.container.memory.limit.current where they define one), or both."),
    JMX("jmx", Kind.BOOLEAN, "true", "Register the dev.headroom:type=Headroom MBean."),
    JFR("jfr", Kind.BOOLEAN, "true", "Emit JFR events into any running recording.");

    /** The kinds of value, each with the words used when one is malformed. */
    public enum Kind {
        DURATION("a duration like 500ms, 1s, 5m"),
        BYTES("a size like 300m, 2g or a number of bytes"),
        PATH("a file system path"),
        BOOLEAN("true or false"),
        INT("a whole number"),
        SHARE("a share of the limit between 0 and 1, like 0.85"),
        STRING("text");

        final String expected;

        Kind(String expected) {
            this.expected = expected;
        }
    }

    private final String name;
    private final Kind kind;
    private final String defaultValue;
    private final String description;

    Key(String name, Kind kind, String defaultValue, String description) {
        this.name = name;
        this.kind = kind;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String optionName() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** The environment variable: {@code eventLog} is read from {@code HEADROOM_EVENT_LOG}. */
    public String environmentVariable() {
        StringBuilder sb = new StringBuilder("HEADROOM_");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                sb.append('_');
            }
            sb.append(Character.toUpperCase(c));
        }
        return sb.toString();
    }

    public String systemProperty() {
        return "headroom." + name;
    }

    static Key byName(String name) {
        for (Key k : values()) {
            if (k.name.equals(name)) {
                return k;
            }
        }
        return null;
    }
}
