package dev.headroom.publish.jmx;

import dev.headroom.act.Level;
import dev.headroom.publish.LatestReading;
import dev.headroom.publish.ReadingFixture;

import java.io.IOException;

/**
 * A child JVM's main: registers the MXBean (twice, as a second attach would) with a fixed
 * reading and fake operations, says {@code ready}, and lives until its stdin closes.
 */
public final class JmxChild {

    public static void main(String[] args) throws IOException {
        LatestReading latest = new LatestReading();
        latest.set(ReadingFixture.reading(900, Level.WARNING, 1));
        HeadroomOperations fake = new HeadroomOperations() {
            @Override
            public String dumpHeap(boolean live) {
                return "/evidence/heap-" + (live ? "live" : "all") + ".hprof";
            }

            @Override
            public String classHistogram() {
                return " num     #instances         #bytes  class name\n   1:          10            160  [B";
            }

            @Override
            public String report() {
                return "Working set 320 MiB of 512 MiB\n  Java heap (committed)  200 MiB";
            }

            @Override
            public String trimNativeHeap() {
                throw new IllegalStateException("not on this libc");
            }
        };
        HeadroomJmx first = HeadroomJmx.register(latest, fake, line -> System.out.println("report " + line));
        HeadroomJmx second = HeadroomJmx.register(latest, fake, line -> System.out.println("report " + line));
        System.out.println("registered " + (first != null) + " " + (second != null));
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // Lives until the test closes our stdin.
        }
    }
}
