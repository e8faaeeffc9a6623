package dev.headroom.agent;

import dev.headroom.config.OptionException;
import dev.headroom.config.Options;
import dev.headroom.config.OptionsParser;
import dev.headroom.publish.LatestReading;
import dev.headroom.publish.micrometer.MicrometerBridge;

import java.lang.instrument.Instrumentation;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The agent's start, on its own thread: options, the Micrometer watch, then the runtime's loop.
 * Kept apart from {@link HeadroomAgent} so that none of these classes loads on the application's
 * main thread.
 */
final class AgentStart {

    private AgentStart() {
    }

    /**
     * @param started cleared when the options are malformed, so a later attach with corrected
     *                options can start the agent
     */
    static void run(String agentArgs, Instrumentation instrumentation, String how, AtomicBoolean started) {
        try {
            Options options;
            try {
                options = OptionsParser.parse(agentArgs, System.getProperties(), System.getenv());
            } catch (OptionException e) {
                HeadroomAgent.notStarted(started);
                System.err.println(e.getMessage());
                return;
            } finally {
                HeadroomAgent.OPTIONS_READ.countDown();
            }
            LatestReading latest = new LatestReading();
            MicrometerBridge bridge = null;
            if (options.outputs().micrometer() && instrumentation != null) {
                try {
                    // The watch for MeterRegistry, and one look through the classes already
                    // loaded (the application's main runs meanwhile and may have loaded it);
                    // Byte Buddy is touched only once Micrometer shows up.
                    bridge = MicrometerBridge.install(instrumentation, latest, new Say(options.quiet()));
                } catch (RuntimeException | LinkageError e) {
                    new Say(options.quiet()).accept("Micrometer bridge is off: " + e);
                }
            }
            new AgentRuntime(options, instrumentation, how, latest, bridge).run();
        } catch (Throwable t) {
            // Never let the agent disturb the application.
            try {
                System.err.println("headroom: agent disabled: could not start: " + t);
            } catch (Throwable ignored) {
                // stderr itself failed; there is nobody left to tell.
            }
        }
    }

    /** The bridge's one-line problems, to stderr unless quiet. */
    private static final class Say implements Consumer<String> {
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
