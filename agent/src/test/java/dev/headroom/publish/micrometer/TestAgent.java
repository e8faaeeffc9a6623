package dev.headroom.publish.micrometer;

import java.lang.instrument.Instrumentation;

/** The premain of the test agent jar: only keeps the {@link Instrumentation} for the child's main. */
public final class TestAgent {

    static volatile Instrumentation inst;

    private TestAgent() {
    }

    public static void premain(String args, Instrumentation instrumentation) {
        inst = instrumentation;
    }

    public static void agentmain(String args, Instrumentation instrumentation) {
        inst = instrumentation;
    }
}
