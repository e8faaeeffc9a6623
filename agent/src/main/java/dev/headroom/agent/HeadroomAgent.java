package dev.headroom.agent;

import dev.headroom.publish.micrometer.MeterRegistryWatch;

import java.lang.instrument.Instrumentation;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The agent's entry points. They do almost nothing on the caller's thread: they start the agent's
 * own daemon thread, which reads the options (a malformed one is reported there in one line, and
 * the agent stays off), starts watching for Micrometer and builds the runtime. No JMX, no logging
 * framework, no file is touched on the caller's thread (the application may not have configured
 * those yet, and touching them first can change how it starts). Nothing is ever thrown back into
 * the application.
 *
 * <p>What runs here is measured (docs/performance.md, start): every class loaded from the agent's
 * jar on the application's main thread costs it a few hundred microseconds (lookup, inflate,
 * define, verify, all interpreted this early), so only this class, {@link Later},
 * {@link AwaitOptions} and {@link MeterRegistryWatch} load there. {@link Later} only calls
 * {@link AgentStart}, so verifying it loads nothing else. The watch is registered here, not on the
 * agent's thread, because an application may build its first Micrometer registry in the first
 * statement of {@code main}, before the agent's thread has run at all (issue 13). No lambda (the
 * first one of a JVM sets up java.lang.invoke, milliseconds on the main thread).
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
        if (agentArgs != null && agentArgs.startsWith(InspectRequest.PREFIX)) {
            // java -jar headroom-agent.jar inspect <pid>: an answer, not a start.
            try {
                InspectRequest.answer(agentArgs, instrumentation);
            } catch (Throwable t) {
                // Never into the application.
            }
            return;
        }
        start(agentArgs, instrumentation, "attach");
    }

    /**
     * The system property that says the agent runs in this JVM, and how it was started
     * ({@code premain} or {@code attach}): {@code attach} reads it through the Attach API to tell
     * the truth about a second start before loading anything. Outside {@code headroom.*}, whose
     * unknown names are option errors.
     */
    public static final String RUNNING_PROPERTY = "dev.headroom.agent.startedBy";

    /** Clears {@link #RUNNING_PROPERTY} and the started flag: the options were malformed, a later attach may start it. */
    static void notStarted(AtomicBoolean started) {
        started.set(false);
        System.clearProperty(RUNNING_PROPERTY);
    }

    private static void start(String agentArgs, Instrumentation instrumentation, String how) {
        try {
            if (!STARTED.compareAndSet(false, true)) {
                System.err.println("headroom: already running in this JVM; the second start (" + how + ") is ignored");
                return;
            }
            System.setProperty(RUNNING_PROPERTY, how);
            // An application that ends at once must not take the agent's one line about a
            // malformed option with it: the exit waits until the options were read.
            Runtime.getRuntime().addShutdownHook(new Thread(new AwaitOptions(), "headroom-options"));
            MeterRegistryWatch watch = instrumentation == null ? null : MeterRegistryWatch.register(instrumentation);
            Thread thread = new Thread(new Later(agentArgs, instrumentation, how, watch), "headroom");
            thread.setDaemon(true);
            thread.start();
        } catch (Throwable t) {
            // Never let the agent stop the application from starting.
            try {
                notStarted(STARTED);
                System.err.println("headroom: agent disabled: could not start: " + t);
            } catch (Throwable ignored) {
                // stderr itself failed; there is nobody left to tell.
            }
        }
    }

    /** Counted down by the agent's thread once the options were read, well or not. */
    static final CountDownLatch OPTIONS_READ = new CountDownLatch(1);

    /**
     * The shutdown hook that waits (at most 2 s) for the options to be read: reading them takes
     * the agent's thread a few milliseconds, so only an application that ends within those waits
     * at all.
     */
    private static final class AwaitOptions implements Runnable {
        @Override
        public void run() {
            try {
                OPTIONS_READ.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Everything else, on the agent's thread: reading the options, watching for Micrometer, and
     * building the runtime, so that their classes load and verify there and not on main.
     */
    private static final class Later implements Runnable {
        private final String agentArgs;
        private final Instrumentation instrumentation;
        private final String how;
        private final MeterRegistryWatch watch;

        Later(String agentArgs, Instrumentation instrumentation, String how, MeterRegistryWatch watch) {
            this.agentArgs = agentArgs;
            this.instrumentation = instrumentation;
            this.how = how;
            this.watch = watch;
        }

        @Override
        public void run() {
            AgentStart.run(agentArgs, instrumentation, how, STARTED, watch);
        }
    }
}
