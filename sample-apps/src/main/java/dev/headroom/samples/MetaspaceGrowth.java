package dev.headroom.samples;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;

/**
 * Metaspace growth: classes defined at run time and kept reachable (a scripting engine or a
 * proxy generator per request, class loaders that leak). Each copy of {@link MetaspaceTemplate}
 * is defined as a new hidden class. Arguments: {@code [classes per second, default 400] [seconds]}.
 */
public final class MetaspaceGrowth {
    static final List<Class<?>> KEPT = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        double rate = Rate.arg(args, 0, 400);
        Rate pace = new Rate(rate, (long) Rate.arg(args, 1, 0));
        byte[] bytes;
        try (InputStream in = MetaspaceGrowth.class.getResourceAsStream("MetaspaceTemplate.class")) {
            if (in == null) {
                throw new IOException("MetaspaceTemplate.class not found");
            }
            bytes = in.readAllBytes();
        }
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        Rate.ready("metaspace-growth", rate + " classes/s");
        for (long n; (n = pace.step()) >= 0; ) {
            for (long i = 0; i < n; i++) {
                Class<?> c = lookup.defineHiddenClass(bytes, true).lookupClass();
                // Link the methods so their metadata is built, as a used class's would be.
                c.getDeclaredMethods();
                KEPT.add(c);
            }
        }
        Rate.done("metaspace-growth", KEPT.size() + " classes");
    }
}
