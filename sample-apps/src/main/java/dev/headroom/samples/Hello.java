package dev.headroom.samples;

/** Hello, world: the JVM whose start time the agent's start cost is measured against. */
public final class Hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
