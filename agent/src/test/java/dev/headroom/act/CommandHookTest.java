package dev.headroom.act;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandHookTest {

    private static final byte[] EVENT =
            "{\"time\":\"2024-05-01T10:15:00Z\",\"event\":\"critical\",\"workingSetBytes\":123}\n"
                    .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    @Test
    void refusesARelativeProgram() {
        CommandHook hook = new CommandHook(List.of("notify.sh", "--now"), 1000, null);

        CommandHook.Started s = hook.run(EVENT);

        assertFalse(s.started());
        assertTrue(s.reason().contains("absolute path"), s.reason());
        assertEquals(s.reason(), hook.refusal());
    }

    @Test
    void splitsWordsWithQuotesAndNoShell() {
        assertEquals(List.of("/bin/sh", "-c", "cat > '/tmp/a b'"), CommandHook.split("/bin/sh -c \"cat > '/tmp/a b'\""));
        assertEquals(List.of("/usr/bin/notify", "a", "b c"), CommandHook.split("  /usr/bin/notify a 'b c'  "));
        assertEquals(List.of(""), CommandHook.split("''"));
    }

    @Test
    void runsTheCommandWithTheEventOnStdin() throws IOException {
        Path out = tmp.resolve("event.json");
        CommandHook hook = new CommandHook(CommandHook.split("/bin/sh -c 'cat > \"$0\"' " + out), 10_000, null);

        CommandHook.Started s = hook.run(EVENT);

        assertTrue(s.started(), s.reason());
        assertTrue(hook.awaitIdle(10_000));
        assertEquals(0, hook.lastOutcome().exitCode());
        assertEquals(new String(EVENT, StandardCharsets.UTF_8), Files.readString(out));
    }

    @Test
    void theOutputGoesToTheConfiguredFile() throws IOException {
        Path log = tmp.resolve("hook.log");
        CommandHook hook = new CommandHook(List.of("/bin/cat"), 10_000, log);

        hook.run(EVENT);
        assertTrue(hook.awaitIdle(10_000));
        hook.run(EVENT);
        assertTrue(hook.awaitIdle(10_000));

        assertEquals(new String(EVENT, StandardCharsets.UTF_8).repeat(2), Files.readString(log));
    }

    @Test
    void aHookThatOverrunsIsKilledAndOnlyOneRunsAtATime() {
        CommandHook hook = new CommandHook(List.of("/bin/sleep", "30"), 300, null);

        CommandHook.Started first = hook.run(EVENT);
        CommandHook.Started second = hook.run(EVENT);

        assertTrue(first.started());
        assertFalse(second.started());
        assertEquals("the previous hook is still running", second.reason());
        assertTrue(hook.awaitIdle(10_000));
        assertTrue(hook.lastOutcome().timedOut(), hook.lastOutcome().detail());
    }

    @Test
    void aMissingProgramIsAReasonNotAnException() {
        CommandHook hook = new CommandHook(List.of(tmp.resolve("nope").toString()), 1000, null);

        CommandHook.Started s = hook.run(EVENT);

        assertFalse(s.started());
        assertTrue(s.reason().startsWith("cannot start"), s.reason());
        assertNull(hook.lastOutcome());
    }

    @Test
    void anOutputThatIsRefusedIsNotedAndTheHookStillRunsToItsEnd() throws IOException {
        Path precious = Files.writeString(tmp.resolve("precious"), "precious\n");
        Path link = Files.createSymbolicLink(tmp.resolve("hook.log"), precious);
        // More output than a pipe holds (64 KiB): read and dropped, or the hook would block.
        CommandHook hook = new CommandHook(List.of("/bin/sh", "-c", "head -c 200000 /dev/zero; cat"), 10_000, link);

        assertTrue(hook.run(EVENT).started());
        assertTrue(hook.awaitIdle(10_000));

        CommandHook.Outcome outcome = hook.lastOutcome();
        assertEquals(0, outcome.exitCode(), outcome.detail());
        assertTrue(outcome.detail().startsWith("output discarded: " + link + " is a symbolic link"), outcome.detail());
        assertEquals("precious\n", Files.readString(precious));
    }
}
