package dev.headroom.samples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Holds a live heap of a given size and shape, then idles: what a heap dump's size and speed are
 * measured on, since both depend on what the heap holds.
 *
 * <p>Arguments: {@code [MiB, default 300] [shape: objects | random | zeros, default objects]
 * [seconds, default 600]}. {@code objects}: a map of sessions, each a few strings, boxed numbers
 * and a small list (a typical service's cache); {@code random}: byte arrays of random bytes
 * (encrypted or already compressed data, the worst case for compression); {@code zeros}: byte
 * arrays touched once a page (the best case). Prints "retained-heap ready" once it holds them.
 */
public final class RetainedHeap {

    record Session(String id, String user, String agent, Long createdMillis, Integer hits, List<String> roles) {
    }

    static final List<Object> HELD = new ArrayList<>();

    public static void main(String[] args) throws InterruptedException {
        long mib = (long) Rate.arg(args, 0, 300);
        String shape = args.length > 1 ? args[1] : "objects";
        long seconds = (long) Rate.arg(args, 2, 600);
        SplittableRandom random = new SplittableRandom(17);
        long target = mib << 20;
        long held = 0;
        switch (shape) {
            case "random", "zeros" -> {
                while (held < target) {
                    byte[] b = new byte[64 * 1024];
                    if (shape.equals("random")) {
                        for (int i = 0; i < b.length; i += 8) {
                            long v = random.nextLong();
                            for (int k = 0; k < 8; k++) {
                                b[i + k] = (byte) (v >>> (8 * k));
                            }
                        }
                    } else {
                        for (int i = 0; i < b.length; i += 4096) {
                            b[i] = 1;
                        }
                    }
                    HELD.add(b);
                    held += b.length + 16;
                }
            }
            case "objects" -> {
                Map<String, Session> sessions = new HashMap<>();
                HELD.add(sessions);
                String[] agents = {"Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", "okhttp/4.12.0", "Go-http-client/2.0"};
                String[] roles = {"reader", "writer", "admin", "billing", "support"};
                long n = 0;
                // About 300 bytes a session with its strings, boxes, list and map entry (measured with
                // GC.class_histogram on JDK 17): count to the target by that.
                while (held < target) {
                    String id = Long.toHexString(random.nextLong()) + Long.toHexString(n++);
                    List<String> r = new ArrayList<>(List.of(roles[random.nextInt(roles.length)],
                            roles[random.nextInt(roles.length)]));
                    sessions.put(id, new Session(id, "user" + random.nextInt(1_000_000) + "@example.com",
                            agents[random.nextInt(agents.length)], System.currentTimeMillis() - random.nextInt(86_400_000),
                            random.nextInt(10_000), r));
                    held += 300;
                }
            }
            default -> throw new IllegalArgumentException("shape: objects, random or zeros, not " + shape);
        }
        Rate.ready("retained-heap", mib + " MiB of " + shape);
        Thread.sleep(seconds * 1000);
        System.out.println("retained-heap done: " + HELD.size());
    }
}
