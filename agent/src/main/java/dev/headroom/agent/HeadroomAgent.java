package dev.headroom.agent;

import dev.headroom.config.OptionException;
import dev.headroom.config.Options;
import dev.headroom.config.OptionsParser;
import dev.headroom.publish.LatestReading;
import dev.headroom.publish.micrometer.MicrometerBridge;

import java.lang.instrument.Instrumentation;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's entry points. They do almost nothing on the caller's thread: they read the options
 * (string work only, so a malformed one is reported before the application's first line) and
 * start the agent's own daemon thread. No JMX, no logging framework, no file is touched here (the
 * application may not have configured those yet, and touching them first can change how it
 * starts). Nothing is ever thrown back into the application.
 */
public final class HeadroomAgent {

    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private HeadroomAgent() {
    }

    /** {@code -javaagent:headroom-agent.jar=key=value,...} */
    public static void premain(String agentArgs, Instrumentation instrumentation) {
        start(agentArgs, instrumentation, "premain");
    }

    /** Loaded into a running JVM ({@code java -jar headroom-agent.jar attach <pid>}). */
    public static void agentmain(String agentArgs, Instrumentation instrumentation) {
        start(agentArgs, instrumentation, "attach");
    }

    private static void start(String agentArgs, Instrumentation instrumentation, String how) {
        try {
            if (!STARTED.compareAndSet(false, true)) {
                System.err.println("headroom: already running in this JVM; the second start (" + how + ") is ignored");
                return;
            }
            Options options;
            try {
                options = OptionsParser.parse(agentArgs, System.getProperties(), System.getenv());
            } catch (OptionException e) {
                STARTED.set(false);
                System.err.println(e.getMessage());
                return;
            }
            LatestReading latest = new LatestReading();
            MicrometerBridge bridge = null;
            if (options.outputs().micrometer() && instrumentation != null) {
                // Here, not on the agent's thread: the transformer that notices Micrometer must be
                // in place before the application's main loads it. It only compares class names;
                // Byte Buddy is touched only once Micrometer shows up.
                bridge = MicrometerBridge.install(instrumentation, latest, line -> {
                    if (!options.quiet()) {
                        System.err.println("headroom: " + line);
                    }
                });
            }
            Thread thread = new Thread(new AgentRuntime(options, instrumentation, how, latest, bridge), "headroom");
            thread.setDaemon(true);
            thread.start();
        } catch (Throwable t) {
            // Never let the agent stop the application from starting.
            try {
                System.err.println("headroom: agent disabled: could not start: " + t);
            } catch (Throwable ignored) {
                // stderr itself failed; there is nobody left to tell.
            }
        }
    }
}
