package dev.headroom.reconcile;

/**
 * What the Cloud Foundry / Paketo Java memory calculator would set, for comparing with Headroom's
 * recommendation in docs/sizing.md. Written from its published algorithm
 * (github.com/cloudfoundry/java-buildpack-memory-calculator, README "Algorithm"; Paketo's libjvm runs
 * the same calculator), not from its code:
 * <pre>
 *   headroom      = total x head-room %                     (Paketo default 0 %)
 *   direct        = MaxDirectMemorySize, else 10 MiB
 *   metaspace     = MaxMetaspaceSize, else 5,800 B x loaded classes + 14,000,000 B
 *   code cache    = ReservedCodeCacheSize, else 240 MiB
 *   thread stacks = -Xss (1 MiB) x thread count             (Paketo default 250 threads)
 *   heap          = total - (headroom + direct + metaspace + code cache + thread stacks)
 * </pre>
 * When the heap would be below zero the calculator refuses to start the application.
 */
final class PaketoCalculator {

    static final long MIB = 1024L * 1024;
    static final int DEFAULT_THREADS = 250;

    private PaketoCalculator() {
    }

    /** Everything but the heap, for a service with default flags. */
    static long nonHeap(long loadedClasses, int threads) {
        return 10 * MIB + (5_800 * loadedClasses + 14_000_000) + 240 * MIB + threads * MIB;
    }

    /** The -Xmx it would set in {@code total}; negative when it would refuse. */
    static long heap(long total, long loadedClasses, int threads) {
        return total - nonHeap(loadedClasses, threads);
    }

    /** The smallest total in which it would give the service {@code heap}. */
    static long limitFor(long heap, long loadedClasses, int threads) {
        return heap + nonHeap(loadedClasses, threads);
    }
}
