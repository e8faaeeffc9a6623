package dev.headroom.agent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentRuntimeTest {

    @Test
    void anInternalErrorIsToldWithTheFirstFrameOfOurs() {
        Throwable t = new IllegalStateException("boom");
        String where = AgentRuntime.where(t);
        assertTrue(where.startsWith(" (at dev.headroom.agent.AgentRuntimeTest.anInternalErrorIsToldWithTheFirstFrameOfOurs("),
                where);
    }

    @Test
    void aFailureWithNoFrameOfOursAddsNothing() {
        Throwable t = new IllegalStateException("boom");
        t.setStackTrace(new StackTraceElement[] {new StackTraceElement("java.util.HashMap", "get", "HashMap.java", 1)});
        assertEquals("", AgentRuntime.where(t));
    }
}
