package dev.headroom.publish.micrometer;

import dev.headroom.publish.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge in real JVMs with a real {@code Instrumentation}: each test runs {@link BridgeChild}
 * with one scenario and reads what the child's registries hold.
 */
class MicrometerBridgeTest {

    private static final String LIMIT = "536870912";

    @TempDir
    Path dir;

    private ChildJvm.Result child(String classPath, List<String> jvmArgs, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ChildJvm.java(),
                "-javaagent:" + ChildJvm.agentJar(dir, TestAgent.class.getName()), "-Xmx64m", "-cp", classPath));
        command.addAll(jvmArgs);
        command.add(BridgeChild.class.getName());
        command.addAll(List.of(args));
        ChildJvm.Result r = ChildJvm.run(dir, command, 120);
        assertEquals(0, r.exitCode(), "child exit code; stdout:\n" + r.stdout() + "\nstderr:\n" + r.stderr());
        assertTrue(r.stdout().contains("done"), r.stdout());
        return r;
    }

    private static String withoutMicrometer() {
        return ChildJvm.classPath(e -> !e.contains("micrometer") && !e.contains("HdrHistogram")
                && !e.contains("LatencyUtils"));
    }

    @Test
    void anApplicationWithoutMicrometerNeverLoadsByteBuddy() throws Exception {
        Path classLog = dir.resolve("classes.log");
        ChildJvm.Result r = child(withoutMicrometer(), List.of("-Xlog:class+load=info:file=" + classLog), "none");
        assertEquals(List.of("byteBuddyClasses 0"), r.lines("byteBuddyClasses"));
        String loaded = Files.readString(classLog);
        // The log can fail the test: the bridge itself was loaded, Byte Buddy never.
        assertTrue(loaded.contains("dev.headroom.publish.micrometer.MicrometerBridge "), "the bridge was loaded");
        assertTrue(loaded.contains("dev.headroom.publish.micrometer.MeterRegistryWatch "), "the watch was loaded");
        assertFalse(loaded.contains("net.bytebuddy."), "no Byte Buddy class in the class-load log");
        assertFalse(loaded.contains("ConstructorWeaving"), "the weaving class was never loaded");
        assertTrue(r.lines("report").isEmpty(), r.stdout());
    }

    @Test
    void registryOnTheClassPathGetsEveryMeterWithItsCommonTagsAfterATick() throws Exception {
        ChildJvm.Result r = child(System.getProperty("java.class.path"), List.of(), "classpath");
        assertTrue(r.lines("meter beforeSecondTick").isEmpty(), "a new registry waits a tick: " + r.stdout());
        List<String> simple = r.lines("meter simple ");
        assertTrue(simple.contains("meter simple headroom.limit{app=child} bytes " + LIMIT), r.stdout());
        assertTrue(simple.contains("meter simple headroom.working.set{app=child} bytes 335544320"), r.stdout());
        // Limit less the unreclaimable memory (298 MiB: the fixture's 20 MiB of active page cache and
        // 2 MiB of reclaimable slab are out), not less the working set (320 MiB).
        assertTrue(simple.contains("meter simple headroom.headroom{app=child} bytes 224395264"), r.stdout());
        assertTrue(simple.contains("meter simple headroom.unreclaimable{app=child} bytes 312475648"), r.stdout());
        assertTrue(simple.contains("meter simple headroom.time.to.limit{app=child} seconds 900"), r.stdout());
        assertTrue(simple.contains("meter simple headroom.level{app=child} null 1"), r.stdout());
        assertTrue(simple.contains("meter simple headroom.dumps{app=child} null 1"), r.stdout());
        assertTrue(simple.contains("meter simple headroom.breakdown{app=child,part=heap} bytes 209715200"),
                r.stdout());
        assertTrue(simple.contains(
                "meter simple headroom.breakdown{app=child,part=nativeUntracked} bytes 41943040"),
                r.stdout());
        // cgroup v1 reports failcnt and oom_kill only: only those kinds appear.
        assertTrue(simple.contains("meter simple headroom.pressure.events{app=child,kind=failcnt} null 3"),
                r.stdout());
        assertTrue(simple.contains("meter simple headroom.pressure.events{app=child,kind=oom_kill} null 0"),
                r.stdout());
        assertFalse(r.stdout().contains("kind=high"), r.stdout());
        assertEquals(12 + 4 + 2, simple.size(), r.stdout());
        assertTrue(simple.contains("meter simple headroom.heap.ceiling{app=child} bytes NaN"),
                "no measured budget yet: " + r.stdout());
        // The child of the global registry got the meters through it, once, without a duplicate warning.
        assertFalse(r.stderr().contains("already registered"), r.stderr());
        // Nothing on the application's stderr at all (no JDK warning about Unsafe or dynamic agents).
        assertFalse(r.stderr().contains("WARNING"), r.stderr());
        List<String> standalone = r.lines("meter standalone ");
        assertEquals(12 + 4 + 2, standalone.size(), r.stdout());
        assertTrue(standalone.contains("meter standalone headroom.limit{} bytes " + LIMIT), r.stdout());
        assertTrue(r.lines("meter unconfigured ").isEmpty(), "a registry without a meter waits for its "
                + "configuration: " + r.stdout());
        assertTrue(r.lines("meter global ").contains("meter global headroom.limit{} bytes " + LIMIT), r.stdout());
        // A part first seen later gets its gauge on the next tick; values follow the latest reading.
        List<String> later = r.lines("meter later ");
        assertTrue(later.contains(
                "meter later headroom.breakdown{app=child,part=otherProcesses} bytes 5242880"), r.stdout());
        assertTrue(later.contains("meter later headroom.time.to.limit{app=child} seconds NaN"), r.stdout());
        assertTrue(later.contains("meter later headroom.level{app=child} null 2"), r.stdout());
        assertEquals(List.of("bound 2 covered 1"), r.lines("bound"), "the global and the standalone registry");
        assertTrue(r.lines("report").isEmpty(), r.stdout());
    }

    @Test
    void registryInALoaderThatCannotSeeTheAgentIsBoundWithItsOwnMicrometer() throws Exception {
        String jars = String.join(java.io.File.pathSeparator, ChildJvm.classPathEntries("micrometer"));
        ChildJvm.Result r = child(withoutMicrometer(), List.of(), "isolated", jars);
        assertEquals(List.of("registryLoader isolated"), r.lines("registryLoader"));
        List<String> isolated = r.lines("meter isolated ");
        assertTrue(isolated.contains("meter isolated headroom.limit{} bytes " + LIMIT), r.stdout());
        assertTrue(isolated.contains("meter isolated headroom.breakdown{part=heap} bytes 209715200"), r.stdout());
        assertTrue(r.lines("report").isEmpty(), r.stdout());
    }

    @Test
    void aRegistryBuiltAtOnceInAChildLoaderWithACommonTagGetsEveryMeterWithTheTag() throws Exception {
        String jars = String.join(java.io.File.pathSeparator, ChildJvm.classPathEntries("micrometer"));
        ChildJvm.Result r = child(withoutMicrometer(), List.of(), "first", jars);
        List<String> first = r.lines("meter first ");
        assertTrue(first.contains("meter first headroom.limit{service=first} bytes " + LIMIT), r.stdout());
        assertEquals(12 + 4 + 2, first.size(), r.stdout());
        assertTrue(r.lines("report").isEmpty(), r.stdout());
    }

    @Test
    void aMicrometerTooOldForTheBinderIsSaidOnceWithTheReasonAndTheApplicationGoesOn() throws Exception {
        // Micrometer 1.0.11 (copied by the build): its Gauge.Builder has no strongReference, which
        // the binder needs so that a gauge does not vanish with a weak reference.
        Path old = Path.of(System.getProperty("oldMicrometerJar", "target/old-micrometer/micrometer-core.jar"));
        assertTrue(Files.isRegularFile(old), "the build copies Micrometer 1.0.11 to " + old);
        ChildJvm.Result r = child(withoutMicrometer(), List.of(), "first", old.toString());
        List<String> reports = r.lines("report");
        assertEquals(1, reports.size(), r.stdout());
        // Once for that Micrometer, though two of its registries (the global composite and the
        // application's) could not be bound.
        assertTrue(reports.get(0).contains("or any other registry of its Micrometer: it is too old for Headroom's meters"
                + " (1.1 or later is needed)"), reports.get(0));
        assertTrue(reports.get(0).contains("NoSuchMethodError"), "the reason names what is missing: " + reports.get(0));
        assertTrue(r.lines("meter first ").isEmpty(), "no half-bound meters: " + r.stdout());
    }

    @Test
    void attachedAfterMicrometerWasInUseTheGlobalRegistryAndItsChildrenGetTheMeters() throws Exception {
        ChildJvm.Result r = child(System.getProperty("java.class.path"), List.of(), "attach");
        assertTrue(r.lines("meter global ").contains("meter global headroom.limit{} bytes " + LIMIT), r.stdout());
        assertTrue(r.lines("meter child ").contains("meter child headroom.limit{} bytes " + LIMIT), r.stdout());
        assertTrue(r.lines("report").isEmpty(), r.stdout());
    }

    @Test
    void aRegistryThatRefusesGaugesIsReportedOnceAndTheApplicationGoesOn() throws Exception {
        ChildJvm.Result r = child(System.getProperty("java.class.path"), List.of(), "failing");
        List<String> reports = r.lines("report");
        assertEquals(1, reports.size(), r.stdout());
        assertTrue(reports.get(0).contains("RefusingRegistry refused headroom.limit"), reports.get(0));
        assertTrue(reports.get(0).contains("this registry takes no gauges"), reports.get(0));
        // Counters are not gauges: the registry took those.
        assertTrue(r.lines("meter refusing ").contains("meter refusing headroom.dumps{} null 1"), r.stdout());
        assertEquals(List.of("application alive"), r.lines("application alive"));
    }

    @Test
    void theWovenCodeNamesTheHookClassAsItIs() {
        assertEquals(RegistryHook.class.getName(), RegistryHook.CLASS_NAME);
        assertDoesNotThrow(() -> RegistryHook.class.getMethod(RegistryHook.METHOD_NAME, Object.class));
        assertEquals(MeterBinding.class.getName().replace('.', '/'), BinderInjection.BINDER_SOURCE);
    }
}
