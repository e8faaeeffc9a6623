package dev.headroom.sense.jvm;

/**
 * What the agent holds in the JVM it watches, measured by the agent itself: the watcher counts
 * itself, so its share is not left to "unexplained" or blamed on the application's heap.
 *
 * @param heapBytes     the agent's own retained heap (its objects and what only they reach), {@code -1} when not measured
 * @param ownClasses    classes of the agent loaded in this JVM (names under {@code dev.headroom.}, shaded libraries
 *                      included), {@code -1} when unknown (no {@code Instrumentation})
 * @param epochMillis   when it was measured, {@code -1} when never
 */
public record AgentFootprint(long heapBytes, int ownClasses, long epochMillis) {

    /** Not measured (fixtures, tools, the first tick before the agent measured itself). */
    public static final AgentFootprint NONE = new AgentFootprint(-1, -1, -1);
}
