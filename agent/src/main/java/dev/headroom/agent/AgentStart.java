package dev.headroom.agent;

import dev.headroom.config.OptionException;
import dev.headroom.config.Options;
import dev.headroom.config.OptionsParser;
import dev.headroom.publish.LatestReading;
import dev.headroom.publish.micrometer.MeterNames;
import dev.headroom.publish.micrometer.MeterRegistryWatch;
import dev.headroom.publish.micrometer.MicrometerBridge;

import java.lang.instrument.Instrumentation;

/**
 * The agent's start, on its own thread: options, the Micrometer watch, then the runtime's loop.
 * Kept apart from {@link HeadroomAgent} so that none of these classes loads on the application's
 * main thread.
 */
final class AgentStart {

    private AgentStart() {
    }

    /** A malformed option clears the started flag, so a later attach with corrected options can start the agent. */
    static void run(String agentArgs, Instrumentation instrumentation, String how, MeterRegistryWatch watch) {
        MicrometerBridge bridge = null;
        try {
            Options options;
            try {
                options = OptionsParser.parse(agentArgs, System.getProperties(), System.getenv());
            } catch (OptionException e) {
                HeadroomAgent.notStarted();
                System.err.println(e.getMessage());
                return;
            } finally {
                HeadroomAgent.optionsRead();
            }
            LatestReading latest = new LatestReading();
            BridgeReports reports = new BridgeReports(options.quiet());
            if (options.outputs().micrometer() && instrumentation != null) {
                try {
                    // Takes over the watch premain registered, and looks once through the classes
                    // already loaded (an attach into a JVM that uses Micrometer already); Byte Buddy
                    // is touched only once Micrometer shows up.
                    MeterNames names = MeterNames.parse(options.outputs().meterNames());
                    bridge = watch != null
                            ? MicrometerBridge.install(instrumentation, watch, names, latest, reports)
                            : MicrometerBridge.install(instrumentation, MeterRegistryWatch.register(instrumentation),
                            names, latest, reports);
                } catch (RuntimeException | LinkageError e) {
                    reports.accept("Micrometer bridge is off: " + e);
                }
            }
            new AgentRuntime(options, instrumentation, how, latest, bridge, reports).run();
        } catch (Throwable t) {
            // Never let the agent disturb the application.
            try {
                System.err.println("headroom: agent disabled: could not start: " + t);
            } catch (Throwable ignored) {
                // stderr itself failed; there is nobody left to tell.
            }
        } finally {
            if (bridge == null && watch != null) {
                // No bridge (options malformed, micrometer=false, a failure): a MeterRegistry being
                // defined stops waiting, and the watch goes.
                watch.decided(null);
                try {
                    instrumentation.removeTransformer(watch);
                } catch (Throwable ignored) {
                    // Nothing was woven; a watch left in place only compares names.
                }
            }
        }
    }
}
