package dev.headroom.publish.jmx;

import javax.management.ConstructorParameters;

/**
 * One part of the breakdown as the MXBean shows it: the MXBean framework maps it to an open
 * {@code CompositeData} (items id, label, group, bytes, source, cause), so a JMX client needs
 * none of Headroom's classes to read it.
 */
public final class BreakdownRow {

    private final String id;
    private final String label;
    private final String group;
    private final long bytes;
    private final String source;
    private final String cause;

    @ConstructorParameters({"id", "label", "group", "bytes", "source", "cause"})
    public BreakdownRow(String id, String label, String group, long bytes, String source, String cause) {
        this.id = id;
        this.label = label;
        this.group = group;
        this.bytes = bytes;
        this.source = source;
        this.cause = cause;
    }

    public String getId() {
        return id;
    }

    public String getLabel() {
        return label;
    }

    public String getGroup() {
        return group;
    }

    public long getBytes() {
        return bytes;
    }

    public String getSource() {
        return source;
    }

    public String getCause() {
        return cause;
    }
}
