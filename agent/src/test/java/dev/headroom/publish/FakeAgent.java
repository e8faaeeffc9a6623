package dev.headroom.publish;

import dev.headroom.act.Level;
import dev.headroom.publish.jfr.FlightEvents;
import dev.headroom.publish.jmx.HeadroomJmx;
import dev.headroom.publish.jmx.HeadroomOperations;
import dev.headroom.publish.micrometer.MicrometerBridge;
import dev.headroom.reconcile.Part;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in agent for checking the publishers by hand inside a real application before the
 * agent's wiring exists: the publishers get a made-up reading (512 MiB limit, a working set that
 * creeps up by 1 MiB per tick) and a 1 s tick. Build its jar with {@link FakeAgentJar}, then e.g.
 * <pre>
 * java -javaagent:/tmp/fake-agent.jar -jar sample-apps/spring-service/target/spring-service.jar --server.port=18080
 * curl -s localhost:18080/actuator/prometheus | grep ^headroom
 * </pre>
 * It does what the real wiring must do: install the bridge from premain's Instrumentation,
 * register the MBean, emit the JFR snapshot, call the bridge's tick after each reading.
 */
public final class FakeAgent {

    private FakeAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        LatestReading latest = new LatestReading();
        MicrometerBridge bridge = MicrometerBridge.install(inst, latest, line -> System.err.println("headroom: " + line));
        HeadroomJmx.register(latest, new HeadroomOperations() {
            @Override
            public String dumpHeap(boolean live) {
                return "fake agent: no dump";
            }

            @Override
            public String classHistogram() {
                return "fake agent: no histogram";
            }

            @Override
            public String report() {
                return "fake agent: " + latest.get();
            }

            @Override
            public String trimNativeHeap() {
                return "fake agent: nothing trimmed";
            }
        }, line -> System.err.println("headroom: " + line));
        FlightEvents flight = new FlightEvents();
        Thread tick = new Thread(() -> {
            for (int n = 0; ; n++) {
                List<Part> parts = new ArrayList<>(ReadingFixture.parts());
                parts.set(0, ReadingFixture.part("heap", "Java heap (committed)", "jvm",
                        (200 + n) * ReadingFixture.MIB, "MemoryMXBean", ""));
                latest.set(ReadingFixture.reading(parts, 3600 - n, n > 60 ? Level.WARNING : Level.OK, 0));
                flight.snapshot(latest.get());
                bridge.tick();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "fake-headroom-tick");
        tick.setDaemon(true);
        tick.start();
    }
}
