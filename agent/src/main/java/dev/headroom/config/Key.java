package dev.headroom.config;

/**
 * One option the agent accepts: its name, the kind of value, the default and what it means.
 * The list in {@link #values()} is the configuration reference (docs/configuration.md is checked
 * against it by a test).
 */
public enum Key {
    INTERVAL("interval", Kind.DURATION, "1s", "Sampling period: how often the cgroup, the process and the JVM are read."),
    SNAPSHOT_EVERY("snapshotEvery", Kind.DURATION, "10s", "How often a `snapshot` event is written to the event log."),
    NMT_EVERY("nmtEvery", Kind.DURATION, "10s",
            "How often the Native Memory Tracking summary is read when NMT is on (it is slower than the other reads)."),
    EVENT_LOG("eventLog", Kind.PATH, "",
            "Path of the JSON Lines event log; empty: no event log (human lines still go to stderr)."),
    DUMP_DIR("dumpDir", Kind.PATH, "",
            "Directory for heap dumps and other evidence; empty: -XX:HeapDumpPath if set, else the working directory."),
    LIMIT("limit", Kind.BYTES, "",
            "A memory limit to use where the process has no cgroup limit (a laptop, a VM), e.g. 512m."),
    CGROUP_ROOT("cgroupRoot", Kind.PATH, "/sys/fs/cgroup",
            "Where cgroupfs is mounted; mount points in mountinfo under /sys/fs/cgroup are read below it (for tests)."),
    PROC_ROOT("procRoot", Kind.PATH, "/proc", "Where procfs is mounted (for tests)."),
    QUIET("quiet", Kind.BOOLEAN, "false", "When true, the agent writes nothing to stderr except option errors.");

    /** The kinds of value, each with the words used when one is malformed. */
    public enum Kind {
        DURATION("a duration like 500ms, 1s, 5m"),
        BYTES("a size like 300m, 2g or a number of bytes"),
        PATH("a file system path"),
        BOOLEAN("true or false");

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
