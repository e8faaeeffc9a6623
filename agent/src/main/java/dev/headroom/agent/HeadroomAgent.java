package dev.headroom.agent;

import dev.headroom.publish.micrometer.MeterRegistryWatch;

import java.lang.instrument.Instrumentation;

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
 * define, verify, all interpreted this early), so only this class, {@link OwnThread}
 * and {@link MeterRegistryWatch} load there. {@link OwnThread} only calls {@link AgentStart}, so
 * verifying it loads nothing else; it is both the agent's thread and the exit's wait for the
 * options, one class where two cost twice. No {@code AtomicBoolean} and no {@code CountDownLatch}
 * either: their first use links java.lang.invoke's VarHandles, about 2 ms of main this early; a
 * monitor does the same here. The watch is registered here, not on the
 * agent's thread, because an application may build its first Micrometer registry in the first
 * statement of {@code main}, before the agent's thread has run at all (issue 13). No lambda (the
 * first one of a JVM sets up java.lang.invoke, milliseconds on the main thread).
 */
public final class HeadroomAgent {

    /** Guards {@link #started} and {@link #optionsRead}, and is what the exit's wait waits on. */
    private static final Object LOCK = new Object();
    private static boolean started;
    private static boolean optionsRead;

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
    static void notStarted() {
        synchronized (LOCK) {
            started = false;
        }
        System.clearProperty(RUNNING_PROPERTY);
    }

    /** Called by the agent's thread once the options were read, well or not: the exit waits no longer. */
    static void optionsRead() {
        synchronized (LOCK) {
            optionsRead = true;
            LOCK.notifyAll();
        }
    }

    private static void start(String agentArgs, Instrumentation instrumentation, String how) {
        try {
            synchronized (LOCK) {
                if (started) {
                    System.err.println("headroom: already running in this JVM; the second start (" + how + ") is ignored");
                    return;
                }
                started = true;
                optionsRead = false;
            }
            System.setProperty(RUNNING_PROPERTY, how);
            // An application that ends at once must not take the agent's one line about a
            // malformed option with it: the exit waits until the options were read.
            Runtime.getRuntime().addShutdownHook(new Thread(new OwnThread(agentArgs), "headroom-options"));
            MeterRegistryWatch watch = instrumentation == null ? null : MeterRegistryWatch.register(instrumentation);
            Thread thread = new Thread(new OwnThread(agentArgs, instrumentation, how, watch), "headroom");
            thread.setDaemon(true);
            thread.start();
        } catch (Throwable t) {
            // Never let the agent stop the application from starting.
            try {
                notStarted();
                System.err.println("headroom: agent disabled: could not start: " + t);
            } catch (Throwable ignored) {
                // stderr itself failed; there is nobody left to tell.
            }
        }
    }

    /**
     * The exit's wait (at most 2 s) for the options to be read: reading them takes the agent's
     * thread a few milliseconds, so only an application that ends within those waits at all, and
     * only when there are options to read. With none given (no agent argument, no
     * {@code headroom.*} property, no {@code HEADROOM_*} variable) the defaults are all there is,
     * and they cannot be malformed: such an exit does not wait (10 to 15 ms of a short program's
     * run, measured in docs/performance.md's start).
     */
    static void awaitOptions(String agentArgs) {
        synchronized (LOCK) {
            if (optionsRead || !optionsGiven(agentArgs)) {
                return;
            }
            long deadline = System.nanoTime() + 2_000_000_000L;
            long left;
            while (!optionsRead && (left = deadline - System.nanoTime()) > 0) {
                try {
                    LOCK.wait(left / 1_000_000L + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Whether any option was given at all, where {@code OptionsParser} looks for them. */
    static boolean optionsGiven(String agentArgs) {
        if (agentArgs != null && !agentArgs.isBlank()) {
            return true;
        }
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("headroom.")) {
                return true;
            }
        }
        for (String name : System.getenv().keySet()) {
            if (name.startsWith("HEADROOM_")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The agent's thread (reading the options, watching for Micrometer and building the runtime,
     * so that their classes load and verify there and not on main) or, made with the agent
     * argument alone, the shutdown hook that waits for the options ({@link #awaitOptions}).
     */
    private static final class OwnThread implements Runnable {
        private final String agentArgs;
        private final boolean exitWait;
        private final Instrumentation instrumentation;
        private final String how;
        private final MeterRegistryWatch watch;

        OwnThread(String agentArgs) {
            this(agentArgs, true, null, null, null);
        }

        OwnThread(String agentArgs, Instrumentation instrumentation, String how, MeterRegistryWatch watch) {
            this(agentArgs, false, instrumentation, how, watch);
        }

        private OwnThread(String agentArgs, boolean exitWait, Instrumentation instrumentation, String how,
                          MeterRegistryWatch watch) {
            this.agentArgs = agentArgs;
            this.exitWait = exitWait;
            this.instrumentation = instrumentation;
            this.how = how;
            this.watch = watch;
        }

        @Override
        public void run() {
            if (exitWait) {
                awaitOptions(agentArgs);
            } else {
                AgentStart.run(agentArgs, instrumentation, how, watch);
            }
        }
    }
}
