package dev.headroom.publish.micrometer;

import dev.headroom.publish.Reading;

import java.lang.instrument.Instrumentation;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Puts Headroom's meters into the application's own Micrometer registries, with only
 * {@code -javaagent} and whatever class loader the application's Micrometer lives in.
 *
 * <ol>
 * <li>{@link MeterRegistryWatch}, registered by {@code premain} before the application's
 *     {@code main}, sees each loader define {@code MeterRegistry} and, in that same call, has the
 *     bridge weave its constructor (which every registry runs) to hand each new registry to
 *     {@link RegistryHook}. The class never exists uninstrumented, so no registry escapes: not
 *     one built by the first statement of {@code main}, not one in a child loader, not the global
 *     composite. Until a loader defines {@code MeterRegistry} nothing else happens, and no Byte
 *     Buddy class is loaded. After an attach, a {@code MeterRegistry} loaded already is
 *     retransformed on the bridge's thread ({@code headroom-micrometer}, started then, ending
 *     when idle), and the registries built before are reached through
 *     {@code Metrics.globalRegistry}.</li>
 * <li>A registry is bound on the agent's tick after the one that first saw it (so at least one
 *     tick interval after its construction), through {@link MeterBinding} defined in its loader;
 *     every bound registry then gets the meters found since. Binding waits because registries are
 *     configured after construction: Spring Boot adds its {@code MeterFilter}s (common tags, renames,
 *     denials) right after, and a meter registered before a filter keeps its unfiltered id (recent
 *     Micrometer versions also log a warning about such late filters).</li>
 * </ol>
 *
 * <p>Composite registries (the global one among them) are bound like any other, and Micrometer
 * forwards their meters to their children, now and when a child is added later, through each
 * child's own filters. A registry that is (at its binding tick) a child of a bound composite is
 * therefore not bound again: registering an id twice is harmless, but Micrometer (1.15 at least)
 * logs a warning into the application's log for it. This is what Spring Boot does by default
 * ({@code management.metrics.use-global-registry=true}): its Prometheus registry gets the meters
 * through the global registry. A registry in no composite is bound directly. Binding composites
 * also covers a registry constructed in the moment before {@code MeterRegistry} was instrumented,
 * once it joins the global registry.
 *
 * <p>Nothing here throws into the application: a registry that refuses a meter or whose callbacks
 * throw is reported once (per registry class) and the rest goes on.
 */
public final class MicrometerBridge implements AutoCloseable {

    static final String METRICS = "io.micrometer.core.instrument.Metrics";
    /** Ticks a registry in no composite may go without a meter of its own before it is bound anyway. */
    static final int CONFIGURE_GRACE_TICKS = 10;

    private final Instrumentation inst;
    private final Consumer<String> report;
    private final Supplier<Reading> readings;
    private final MeterNames names;
    /** Made on the first tick that has a registry to feed: an application without Micrometer never pays for it. */
    private HeadroomMeters meters;
    private MeterRegistryWatch watch;
    /** Made when Micrometer first shows up (see {@link #worker()}). */
    private ThreadPoolExecutor worker;
    /**
     * A named class, not a method reference: {@link #install} runs while the application starts,
     * and the first lambda of a JVM costs milliseconds of java.lang.invoke set-up (contended with
     * the application's own).
     */
    private final Consumer<Object> hook = new Consumer<>() {
        @Override
        public void accept(Object registry) {
            registryConstructed(registry);
        }
    };

    /**
     * Loaders whose {@code MeterRegistry} was just woven, for the tick to initialise their
     * {@code Metrics} (never from inside the transformer, while the loader is defining a class).
     */
    private final ConcurrentLinkedQueue<WeakReference<ClassLoader>> definedLoaders = new ConcurrentLinkedQueue<>();
    /** Registries from the constructor hook, in any thread; drained on the tick. */
    private final ConcurrentLinkedQueue<WeakReference<Object>> arrived = new ConcurrentLinkedQueue<>();
    /** The tick thread's own lists: registries waiting for their tick, and those bound. */
    private final List<Registry> waiting = new ArrayList<>();
    private final List<Registry> bound = new ArrayList<>();
    private long ticks;

    /** Loaders whose {@code MeterRegistry} was woven as it was defined; weak, so an undeployed application goes. */
    private final Set<ClassLoader> definedWoven =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    /** {@code MeterRegistry} classes retransformed (or being retransformed) after an attach. */
    private final Set<Class<?>> woven = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private volatile Throwable weaveFailure;
    private int wovenCount;

    private final ClassValue<Object> binders = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> meterRegistry) {
            try {
                return BinderInjection.binderFor(meterRegistry, inst);
            } catch (Throwable t) {
                return t;
            }
        }
    };

    private MicrometerBridge(Instrumentation inst, Supplier<Reading> readings, Consumer<String> report,
                             MeterNames names) {
        this.inst = inst;
        this.names = names;
        this.report = report;
        this.readings = readings;
    }

    /** The bridge's thread pool, made when first needed (Micrometer appeared); it ends its thread when idle. */
    private synchronized ThreadPoolExecutor worker() {
        if (worker == null) {
            worker = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "headroom-micrometer");
                t.setDaemon(true);
                return t;
            });
        }
        return worker;
    }

    /**
     * Starts watching for Micrometer with a watch of its own (an attach, a test). Cheap: registers
     * one transformer and looks once through the classes already loaded.
     *
     * @param readings the agent's latest reading ({@code null} before the first tick)
     * @param report   takes the one-line problems to tell the user, each said once
     */
    public static MicrometerBridge install(Instrumentation inst, Supplier<Reading> readings, Consumer<String> report) {
        return install(inst, MeterRegistryWatch.register(inst), MeterNames.HEADROOM, readings, report);
    }

    /**
     * Takes over from a watch registered earlier (by {@code premain}, before the application's
     * {@code main}), then looks once through the classes already loaded: a {@code MeterRegistry}
     * defined before the watch (an attach) is retransformed on the bridge's thread.
     */
    public static MicrometerBridge install(Instrumentation inst, MeterRegistryWatch watch, MeterNames names,
                                           Supplier<Reading> readings, Consumer<String> report) {
        MicrometerBridge bridge = new MicrometerBridge(inst, readings, report, names);
        RegistryHook.hook = bridge.hook;
        bridge.watch = watch;
        watch.decided(bridge);
        bridge.scanLoaded();
        return bridge;
    }

    /** Looks once through the classes already loaded, for an attach into a JVM that has Micrometer already. */
    private void scanLoaded() {
        MicrometerBridge bridge = this;
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (BinderInjection.METER_REGISTRY.equals(c.getName()) && !definedWoven.contains(c.getClassLoader())) {
                if (watch.waitedInVain()) {
                    reportOnce("late", "Micrometer bridge: MeterRegistry was defined before the agent had read "
                            + "its options (waited " + MeterRegistryWatch.DECISION_WAIT_MILLIS + " ms); registries "
                            + "built until it is instrumented get Headroom meters only if they join "
                            + "Metrics.globalRegistry");
                }
                bridge.worker().execute(() -> bridge.weaveLoaded(c));
            }
        }
    }

    /**
     * Call once per agent tick, after the reading was published: adds meters for new parts and
     * binds registries that have waited a tick. Never throws.
     */
    public void tick() {
        try {
            ticks++;
            for (WeakReference<ClassLoader> ref; (ref = definedLoaders.poll()) != null; ) {
                initialiseGlobalRegistry(ref.get());
            }
            if (meters == null) {
                if (arrived.isEmpty() && waiting.isEmpty() && bound.isEmpty()) {
                    return; // no registry yet: nothing to make meters for
                }
                meters = new HeadroomMeters(readings, names);
            }
            meters.discover();
            List<MeterSpec> specs = meters.specs();
            for (Iterator<Registry> it = bound.iterator(); it.hasNext(); ) {
                Registry r = it.next();
                Object registry = r.ref.get();
                if (registry == null) {
                    it.remove();
                } else if (!r.viaComposite) {
                    bind(r, registry, specs);
                }
            }
            // Composites first, so that their children, when they are due too, are seen as covered.
            for (int pass = 0; pass < 2; pass++) {
                for (Iterator<Registry> it = waiting.iterator(); it.hasNext(); ) {
                    Registry r = it.next();
                    Object registry = r.ref.get();
                    if (registry == null) {
                        it.remove();
                    } else if (r.arrivedTick < ticks && (pass == 1 || children(registry) != null)) {
                        boolean covered = coveredByComposite(registry, 0);
                        if (!covered && pass == 1 && !configured(registry, r)) {
                            continue; // not configured yet: asked again next tick
                        }
                        it.remove();
                        bound.add(r);
                        if (covered) {
                            r.viaComposite = true;
                        } else {
                            bind(r, registry, specs);
                        }
                    }
                }
            }
            for (WeakReference<Object> ref; (ref = arrived.poll()) != null; ) {
                Object registry = ref.get();
                if (registry != null && !known(registry)) {
                    waiting.add(new Registry(ref, ticks));
                }
            }
        } catch (Throwable t) {
            reportOnce("tick", "Micrometer bridge: " + t);
        }
    }

    /**
     * Whether a registry or a loader with Micrometer arrived and is not bound yet: a tick that only
     * looks calls {@link #tick()} then, so binding does not wait for the next full tick. On the tick
     * thread.
     */
    public boolean pending() {
        return !definedLoaders.isEmpty() || !arrived.isEmpty() || !waiting.isEmpty();
    }

    /**
     * Makes sure the loader's {@code Metrics.globalRegistry} exists, so that its constructor hands
     * it to the bridge. An application that never touches it still has it bound: the registries
     * other agents add there see Headroom's meters (the OpenTelemetry Java agent's Micrometer
     * bridge adds its registry to it as {@code Metrics} is initialised, docs/metrics.md).
     */
    private void initialiseGlobalRegistry(ClassLoader loader) {
        try {
            Class.forName(METRICS, true, loader);
        } catch (Throwable t) {
            reportOnce("global " + loaderName(loader), "Micrometer bridge: Metrics.globalRegistry of "
                    + loaderName(loader) + " could not be made: " + t);
        }
    }

    @Override
    public void close() {
        inst.removeTransformer(watch);
        if (RegistryHook.hook == hook) {
            RegistryHook.hook = null;
        }
        synchronized (this) {
            if (worker != null) {
                worker.shutdownNow();
            }
        }
    }

    // --- from the application's threads ---

    private void registryConstructed(Object registry) {
        arrived.add(new WeakReference<>(registry));
    }

    /**
     * Called by the watch while a loader defines {@code MeterRegistry}, on that loader's thread:
     * the woven class file, or {@code null} (the class as it is) when weaving failed, which is said
     * once with the reason.
     */
    byte[] weaveDefined(ClassLoader loader, byte[] classFile) {
        try {
            byte[] woven = DefineTimeWeaving.weave(classFile);
            definedWoven.add(loader);
            definedLoaders.add(new WeakReference<>(loader));
            return woven;
        } catch (Throwable t) {
            weaveFailure = t;
            reportOnce("weave " + loaderName(loader), "Micrometer bridge: could not instrument MeterRegistry in "
                    + loaderName(loader) + ": " + t + "; registries built there get Headroom meters only if they "
                    + "join Metrics.globalRegistry");
            return null;
        } finally {
            synchronized (this) {
                wovenCount++;
                notifyAll();
            }
        }
    }

    /**
     * Called by the watch during a retransformation of {@code MeterRegistry}: the one the bridge
     * asks for after an attach, or anyone else's, which starts again from the original class
     * file and would drop the constructor hook if it were not woven again.
     */
    byte[] weave(ClassLoader loader, Class<?> meterRegistry, byte[] classFile) {
        boolean atDefinition = definedWoven.contains(loader);
        if (!woven.contains(meterRegistry) && !atDefinition) {
            return null;
        }
        try {
            // The same weaving as the class has: a retransformation may not add or drop the
            // definition-time hook method.
            return atDefinition ? DefineTimeWeaving.weave(classFile)
                    : ConstructorWeaving.weave(loader, meterRegistry.getName(), classFile);
        } catch (Throwable t) {
            weaveFailure = t;
            return null;
        }
    }

    private static String loaderName(ClassLoader loader) {
        if (loader == null) {
            return "the boot class loader";
        }
        return loader.getName() != null ? "class loader " + loader.getName() : loader.getClass().getName();
    }

    // --- on the bridge's thread ---

    private void weaveLoaded(Class<?> meterRegistry) {
        if (meterRegistry == null || !woven.add(meterRegistry)) {
            return;
        }
        try {
            // Initialised first (by the application's thread, which is about to use it, or by us):
            // then the retransformation never overlaps the class's own linking and verification.
            Class.forName(meterRegistry.getName(), true, meterRegistry.getClassLoader());
            weaveFailure = null;
            retransform(meterRegistry);
            Throwable failure = weaveFailure;
            if (failure != null) {
                reportOnce("weave", "Micrometer bridge: could not instrument MeterRegistry: " + failure
                        + "; only Metrics.globalRegistry gets Headroom meters");
            }
            // Built before the weave (an attach): reached as the global composite and its children.
            Object global = Class.forName(METRICS, true, meterRegistry.getClassLoader())
                    .getField("globalRegistry").get(null);
            arrived.add(new WeakReference<>(global));
        } catch (Throwable t) {
            reportOnce("weave", "Micrometer bridge: could not instrument MeterRegistry: " + t);
        } finally {
            synchronized (this) {
                wovenCount++;
                notifyAll();
            }
        }
    }

    /**
     * Retransforms, trying again after a verification failure: on a loaded machine the JVM has
     * been seen (rarely) to reject the woven class once while the application was loading the
     * classes the verifier needs, and to accept the same bytes on a second try.
     */
    private void retransform(Class<?> meterRegistry) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                inst.retransformClasses(meterRegistry);
                return;
            } catch (VerifyError e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    // --- on the tick thread ---

    private boolean known(Object registry) {
        for (Registry r : waiting) {
            if (r.ref.get() == registry) {
                return true;
            }
        }
        for (Registry r : bound) {
            if (r.ref.get() == registry) {
                return true;
            }
        }
        return false;
    }

    private Object binder(Object registry) {
        Class<?> meterRegistry = BinderInjection.meterRegistryClass(registry);
        return meterRegistry == null ? null : binders.get(meterRegistry);
    }

    /** A composite's children, or {@code null} for a registry that is none (or cannot be asked). */
    @SuppressWarnings("unchecked")
    private Object[] children(Object registry) {
        Object binder = binder(registry);
        if (binder instanceof Function) {
            try {
                Object answer = ((Function<Object, Object>) binder).apply(registry);
                return answer instanceof Object[] ? (Object[]) answer : null;
            } catch (Throwable t) {
                return null;
            }
        }
        return null;
    }

    /**
     * Whether a registry outside any composite looks configured: it holds a meter (applications
     * and frameworks add their MeterFilters before their first meter, or Micrometer warns them), or
     * {@link #CONFIGURE_GRACE_TICKS} ticks went by without one. Spring Boot with
     * {@code use-global-registry=false} configures its registry seconds after building it on a
     * loaded machine: a meter bound one tick after construction missed its common tags.
     */
    @SuppressWarnings("unchecked")
    private boolean configured(Object registry, Registry r) {
        if (ticks - r.arrivedTick >= CONFIGURE_GRACE_TICKS) {
            return true;
        }
        Object binder = binder(registry);
        if (binder instanceof Function) {
            try {
                Object answer = ((Function<Object, Object>) binder).apply(registry);
                return !(answer instanceof Integer) || (Integer) answer > 0;
            } catch (Throwable t) {
                return true;
            }
        }
        return true;
    }

    /** Whether a bound composite (or a composite below one) has this registry among its children. */
    private boolean coveredByComposite(Object registry, int depth) {
        for (Registry r : bound) {
            Object composite = r.ref.get();
            if (composite != null && composite != registry && !r.viaComposite && contains(composite, registry, depth)) {
                return true;
            }
        }
        return false;
    }

    private boolean contains(Object composite, Object registry, int depth) {
        Object[] children = children(composite);
        if (children == null || depth > 8) {
            return false;
        }
        for (Object child : children) {
            if (child == registry || contains(child, registry, depth + 1)) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private void bind(Registry r, Object registry, List<MeterSpec> specs) {
        if (r.next >= specs.size()) {
            return;
        }
        Object binder = binder(registry);
        if (!(binder instanceof BiConsumer)) {
            r.next = Integer.MAX_VALUE;
            reportOnce("binder " + registry.getClass().getName(), "Micrometer bridge: cannot bind "
                    + registry.getClass().getName()
                    + ": " + binder);
            return;
        }
        BiConsumer<Object, Object[]> binding = (BiConsumer<Object, Object[]>) binder;
        for (; r.next < specs.size(); r.next++) {
            MeterSpec spec = specs.get(r.next);
            try {
                binding.accept(registry, spec.toArray());
            } catch (LinkageError tooOld) {
                // The binder links against the application's Micrometer on first use: a method it
                // calls is missing (Gauge.Builder.strongReference came in 1.1).
                // Said once per Micrometer (per class loader), not per registry: the global composite
                // and each registry of that Micrometer would fail alike.
                r.next = Integer.MAX_VALUE;
                ClassLoader micrometer = registry.getClass().getClassLoader();
                reportOnce("old " + System.identityHashCode(micrometer), "Micrometer bridge: cannot bind "
                        + registry.getClass().getName() + (micrometer == null ? "" : " (loader " + micrometer.getName() + ")")
                        + " or any other registry of its Micrometer: it is too old for Headroom's meters "
                        + "(1.1 or later is needed): " + tooOld);
                return;
            } catch (Throwable t) {
                reportOnce("refused " + registry.getClass().getName(), "Micrometer registry "
                        + registry.getClass().getName() + " refused " + spec.id() + ": " + t
                        + " (said once; its other meters are still bound)");
            }
        }
    }

    private void reportOnce(String key, String message) {
        if (reported.add(key)) {
            try {
                report.accept(message);
            } catch (Throwable ignored) {
                // The report is the last resort; nothing more to tell.
            }
        }
    }

    // --- for tests ---

    /** Waits until {@code count} MeterRegistry classes were woven (or failed to be). */
    synchronized boolean awaitWoven(int count, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (wovenCount < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** How many live registries have the meters bound directly ({@code false}) or through a composite. */
    int boundRegistries(boolean viaComposite) {
        int n = 0;
        for (Registry r : bound) {
            if (r.ref.get() != null && r.viaComposite == viaComposite) {
                n++;
            }
        }
        return n;
    }

    private static final class Registry {
        final WeakReference<Object> ref;
        final long arrivedTick;
        int next;
        /** Not bound itself: a bound composite forwards the meters to it. */
        boolean viaComposite;

        Registry(WeakReference<Object> ref, long arrivedTick) {
            this.ref = ref;
            this.arrivedTick = arrivedTick;
        }
    }
}
