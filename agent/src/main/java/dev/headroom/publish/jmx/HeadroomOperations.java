package dev.headroom.publish.jmx;

/**
 * What the MBean's operations do, implemented by the agent with its real executors. Each returns
 * a line for the person who clicked it in JConsole: the result, or why nothing was done. None may
 * throw (the MBean turns an exception into its message all the same).
 */
public interface HeadroomOperations {

    /**
     * Writes a heap dump into the evidence directory.
     *
     * @param live {@code true}: only reachable objects (a full GC first); {@code false}: everything
     * @return the dump's path, or the reason none was written (e.g. not enough disk)
     */
    String dumpHeap(boolean live);

    /** The class histogram ({@code GC.class_histogram}), as text; or the reason there is none. */
    String classHistogram();

    /** The latest reconciliation of the working set into its parts, as the text table. */
    String report();

    /** Asks glibc to give free native heap back ({@code System.trim_native_heap}); says what it freed. */
    String trimNativeHeap();
}
