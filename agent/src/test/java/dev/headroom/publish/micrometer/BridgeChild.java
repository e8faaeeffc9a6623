package dev.headroom.publish.micrometer;

import dev.headroom.act.Level;
import dev.headroom.publish.LatestReading;
import dev.headroom.publish.ReadingFixture;
import dev.headroom.reconcile.Part;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM's main (started with {@link TestAgent} as its agent) that plays one application
 * scenario and prints what its registries hold, one {@code meter ...} line per meter, and the
 * bridge's reports as {@code report ...} lines, for {@link MicrometerBridgeTest} to assert.
 * Micrometer is only touched through reflection here, so a scenario decides whether (and in which
 * class loader) Micrometer is ever loaded.
 */
public final class BridgeChild {

    static final String MICROMETER = "io.micrometer.core.instrument.";

    public static void main(String[] args) throws Exception {
        LatestReading latest = new LatestReading();
        latest.set(ReadingFixture.reading(900, Level.WARNING, 1));
        String scenario = args[0];
        if (scenario.equals("attach")) {
            // Micrometer is in use before the agent arrives: the global registry has a child already.
            Object simple = construct(ClassLoader.getSystemClassLoader(), "simple.SimpleMeterRegistry");
            Class<?> metrics = Class.forName(MICROMETER + "Metrics");
            metrics.getMethod("addRegistry", Class.forName(MICROMETER + "MeterRegistry")).invoke(null, simple);
        }
        MicrometerBridge bridge = MicrometerBridge.install(TestAgent.inst, latest,
                line -> System.out.println("report " + line));
        switch (scenario) {
            case "none" -> none(bridge);
            case "classpath" -> classpath(bridge, latest);
            case "isolated" -> isolated(bridge, args[1]);
            case "attach" -> attach(bridge);
            case "failing" -> failing(bridge);
            case "first" -> first(bridge, args[1]);
            default -> throw new IllegalArgumentException(scenario);
        }
        System.out.println("done");
    }

    /** An application without Micrometer: ticks go by, nothing more than the watch runs. */
    private static void none(MicrometerBridge bridge) {
        for (int i = 0; i < 3; i++) {
            bridge.tick();
        }
        // Some class loading after the watch is in place, as any application does.
        new java.util.concurrent.ConcurrentSkipListMap<String, String>().put("a", "b");
        int byteBuddy = 0;
        for (Class<?> c : TestAgent.inst.getAllLoadedClasses()) {
            if (c.getName().startsWith("net.bytebuddy.") || c.getName().startsWith("dev.headroom.shaded.")) {
                byteBuddy++;
            }
        }
        System.out.println("byteBuddyClasses " + byteBuddy);
    }

    /** Micrometer on the class path, a registry with common tags set right after construction. */
    private static void classpath(MicrometerBridge bridge, LatestReading latest) throws Exception {
        ClassLoader app = ClassLoader.getSystemClassLoader();
        Class.forName(MICROMETER + "MeterRegistry", true, app);
        require(bridge.awaitWoven(1, 60_000), "MeterRegistry woven");
        Object simple = construct(app, "simple.SimpleMeterRegistry");
        commonTags(simple, "app", "child");
        // A child of the global registry: it gets the meters through the composite.
        Class.forName(MICROMETER + "Metrics").getMethod("addRegistry", Class.forName(MICROMETER + "MeterRegistry"))
                .invoke(null, simple);
        // A registry in no composite, which the application uses: bound directly.
        Object standalone = construct(app, "simple.SimpleMeterRegistry");
        counter(standalone, "app.requests");
        // Built, but neither used nor configured yet: not bound on the next tick.
        Object unconfigured = construct(app, "simple.SimpleMeterRegistry");
        bridge.tick();
        print("beforeSecondTick", simple);
        bridge.tick();
        print("simple", simple);
        print("standalone", standalone);
        print("unconfigured", unconfigured);
        print("global", Class.forName(MICROMETER + "Metrics").getField("globalRegistry").get(null));
        // A part seen for the first time appears on the next tick.
        List<Part> parts = new ArrayList<>(ReadingFixture.parts());
        parts.add(ReadingFixture.part("otherProcesses", "Other processes", "other", 5 * ReadingFixture.MIB,
                "cgroup.procs", ""));
        latest.set(ReadingFixture.reading(parts, Double.NaN, Level.CRITICAL, 2));
        bridge.tick();
        print("later", simple);
        System.out.println("bound " + bridge.boundRegistries(false) + " covered " + bridge.boundRegistries(true));
    }

    /** Micrometer only in a loader of its own, as in a Spring Boot fat jar or a web application. */
    private static void isolated(MicrometerBridge bridge, String micrometerJars) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String jar : micrometerJars.split(java.io.File.pathSeparator)) {
            urls.add(Path.of(jar).toUri().toURL());
        }
        try (URLClassLoader loader = new URLClassLoader("isolated", urls.toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader())) {
            Class.forName(MICROMETER + "MeterRegistry", true, loader);
            require(bridge.awaitWoven(1, 60_000), "MeterRegistry woven");
            Object simple = construct(loader, "simple.SimpleMeterRegistry");
            counter(simple, "app.requests");
            System.out.println("registryLoader " + simple.getClass().getClassLoader().getName());
            bridge.tick();
            bridge.tick();
            print("isolated", simple);
        }
    }

    /**
     * The registry is the first thing built, in a loader of its own, with nothing awaited: the
     * moment that defines {@code MeterRegistry} builds the registry too (issue 13: a later
     * retransformation missed exactly this one).
     */
    private static void first(MicrometerBridge bridge, String micrometerJars) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String jar : micrometerJars.split(java.io.File.pathSeparator)) {
            urls.add(Path.of(jar).toUri().toURL());
        }
        try (URLClassLoader loader = new URLClassLoader("first", urls.toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader())) {
            Object simple = construct(loader, "simple.SimpleMeterRegistry");
            commonTags(simple, "service", "first");
            counter(simple, "app.requests");
            bridge.tick();
            bridge.tick();
            print("first", simple);
        }
    }

    private static void attach(MicrometerBridge bridge) throws Exception {
        require(bridge.awaitWoven(1, 60_000), "MeterRegistry woven");
        bridge.tick();
        bridge.tick();
        Object global = Class.forName(MICROMETER + "Metrics").getField("globalRegistry").get(null);
        print("global", global);
        Object child = ((Iterable<?>) global.getClass().getMethod("getRegistries").invoke(global)).iterator().next();
        print("child", child);
    }

    /** A registry whose gauge callback throws: reported once, the application goes on. */
    private static void failing(MicrometerBridge bridge) throws Exception {
        Class.forName(MICROMETER + "MeterRegistry", true, ClassLoader.getSystemClassLoader());
        require(bridge.awaitWoven(1, 60_000), "MeterRegistry woven");
        Object refusing = Class.forName("dev.headroom.publish.micrometer.RefusingRegistry")
                .getConstructor().newInstance();
        // It holds no meter of its own: bound once the grace for its configuration is over.
        for (int i = 0; i < MicrometerBridge.CONFIGURE_GRACE_TICKS + 2; i++) {
            bridge.tick();
        }
        print("refusing", refusing);
        System.out.println("application alive");
    }

    static Object construct(ClassLoader loader, String registryClass) throws Exception {
        return Class.forName(MICROMETER + registryClass, true, loader).getConstructor().newInstance();
    }

    /** The application's own first meter: a registry in use is a configured one. */
    private static void counter(Object registry, String name) throws Exception {
        Object counter = registry.getClass().getMethod("counter", String.class, String[].class)
                .invoke(registry, name, new String[0]);
        counter.getClass().getMethod("increment").invoke(counter);
    }

    private static void commonTags(Object registry, String... tags) throws Exception {
        Object config = registry.getClass().getMethod("config").invoke(registry);
        Method commonTags = config.getClass().getMethod("commonTags", String[].class);
        commonTags.invoke(config, (Object) tags);
    }

    /** One line per meter: {@code meter <label> <name> <tags> <value>}. */
    private static void print(String label, Object registry) throws Exception {
        List<?> meters = (List<?>) registry.getClass().getMethod("getMeters").invoke(registry);
        for (Object meter : meters) {
            Object id = meter.getClass().getMethod("getId").invoke(meter);
            Method getId = id.getClass().getMethod("getName");
            String name = (String) getId.invoke(id);
            if (!name.startsWith("headroom.")) {
                continue;
            }
            StringBuilder tags = new StringBuilder("{");
            for (Object tag : (List<?>) id.getClass().getMethod("getTags").invoke(id)) {
                tags.append(tags.length() > 1 ? "," : "").append(tag.getClass().getMethod("getKey").invoke(tag))
                        .append('=').append(tag.getClass().getMethod("getValue").invoke(tag));
            }
            Object measure = meter.getClass().getMethod("measure").invoke(meter);
            Object first = ((Iterable<?>) measure).iterator().next();
            double value = (double) first.getClass().getMethod("getValue").invoke(first);
            String unit = (String) id.getClass().getMethod("getBaseUnit").invoke(id);
            String shown = value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
            System.out.println("meter " + label + " " + name + tags.append('}') + " " + unit + " " + shown);
        }
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError("not reached: " + what);
        }
    }
}
