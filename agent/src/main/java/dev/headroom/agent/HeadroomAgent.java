package dev.headroom.agent;

import dev.headroom.config.OptionException;
import dev.headroom.config.Options;
import dev.headroom.config.OptionsParser;
import dev.headroom.publish.LatestReading;
import dev.headroom.publish.micrometer.MeterRegistryWatch;
import dev.headroom.publish.micrometer.MicrometerBridge;

import java.lang.instrument.Instrumentation;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's entry points. They do almost nothing on the caller's thread: they read the options
 * (string work only, so a malformed one is reported before the application's first line) and
 * start the agent's own daemon thread. No JMX, no logging framework, no file is touched here (the
 * application may not have configured those yet, and touching them first can change how it
 * starts). Nothing is ever thrown back into the application.
 *
 * <p>What runs here is measured (docs/performance.md, start): no lambda (the first one of a JVM
 * sets up java.lang.invoke, milliseconds on the main thread) and no reference to the agent's
 * runtime classes beyond {@link Later}, so that their loading and verification (which pulls in
 * Jackson and the rest) happens on the agent's own thread.
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
            MeterRegistryWatch watch = null;
            if (options.outputs().micrometer() && instrumentation != null) {
                // Here, not on the agent's thread: the transformer that notices Micrometer must be
                // in place before the application's main loads it. It only compares class names;
                // the bridge behind it is built on the agent's thread, and Byte Buddy is touched
                // only once Micrometer shows up.
                watch = MeterRegistryWatch.install(instrumentation);
            }
            Thread thread = new Thread(new Later(options, instrumentation, how, latest, watch), "headroom");
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

    /** Builds the runtime on the agent's thread, so its classes load and verify there. */
    private static final class Later implements Runnable {
        private final Options options;
        private final Instrumentation instrumentation;
        private final String how;
        private final LatestReading latest;
        private final MeterRegistryWatch watch;

        Later(Options options, Instrumentation instrumentation, String how, LatestReading latest, MeterRegistryWatch watch) {
            this.options = options;
            this.instrumentation = instrumentation;
            this.how = how;
            this.latest = latest;
            this.watch = watch;
        }

        @Override
        public void run() {
            MicrometerBridge bridge = null;
            if (watch != null) {
                try {
                    bridge = MicrometerBridge.install(instrumentation, latest, new Say(options.quiet()), watch);
                } catch (RuntimeException | LinkageError e) {
                    new Say(options.quiet()).accept("Micrometer bridge is off: " + e);
                }
            }
            new AgentRuntime(options, instrumentation, how, latest, bridge).run();
        }
    }

    /** The bridge's one-line problems, to stderr unless quiet. */
    private static final class Say implements java.util.function.Consumer<String> {
        private final boolean quiet;

        Say(boolean quiet) {
            this.quiet = quiet;
        }

        @Override
        public void accept(String line) {
            if (!quiet) {
                System.err.println("headroom: " + line);
            }
        }
    }
}
