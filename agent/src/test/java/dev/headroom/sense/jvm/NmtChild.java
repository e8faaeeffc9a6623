package dev.headroom.sense.jvm;

/**
 * Run by {@link NmtReaderTest} in a child JVM started with {@code -XX:NativeMemoryTracking=summary}: prints what
 * {@link NmtReader} sees, one {@code key=value} a line.
 */
public final class NmtChild {

    private NmtChild() {
    }

    public static void main(String[] args) {
        NmtReader reader = new NmtReader();
        System.out.println("enabled=" + reader.enabled());
        System.out.println("nmtMode=" + new JvmReader().flags().nmtMode());
        NmtSummary summary = reader.read();
        System.out.println("problem=" + reader.lastProblem());
        if (summary != null) {
            System.out.println("totalCommitted=" + summary.totalCommittedBytes());
            for (NmtCategory category : summary.categories()) {
                System.out.println("category=" + category.name() + "|" + category.reservedBytes() + "|"
                        + category.committedBytes());
            }
        }
    }
}
