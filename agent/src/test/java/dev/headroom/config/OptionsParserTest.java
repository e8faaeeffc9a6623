package dev.headroom.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsParserTest {

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void defaultsApplyWhenNothingIsGiven() throws Exception {
        Options o = OptionsParser.parse(null, new Properties(), Map.of());
        assertEquals(1000, o.intervalMillis());
        assertEquals(10_000, o.snapshotEveryMillis());
        assertNull(o.eventLog());
        assertNull(o.dumpDir());
        assertEquals(-1, o.limitBytes());
        assertEquals(Path.of("/sys/fs/cgroup"), o.cgroupRoot());
        assertEquals(Path.of("/proc"), o.procRoot());
    }

    @Test
    void agentArgumentsWinOverSystemPropertiesWhichWinOverTheEnvironment() throws Exception {
        Options o = OptionsParser.parse("interval=500ms",
                props("headroom.interval", "2s", "headroom.limit", "300m"),
                Map.of("HEADROOM_INTERVAL", "5s", "HEADROOM_LIMIT", "1g", "HEADROOM_EVENT_LOG", "/tmp/e.jsonl"));
        assertEquals(500, o.intervalMillis());
        assertEquals(300L << 20, o.limitBytes());
        assertEquals(Path.of("/tmp/e.jsonl"), o.eventLog());
        assertEquals("500ms", o.effective().get("interval"));
    }

    @Test
    void malformedDurationNamesTheOptionTheValueAndWhatIsAccepted() {
        OptionException e = assertThrows(OptionException.class,
                () -> OptionsParser.parse("interval=soon", new Properties(), Map.of()));
        assertEquals("headroom: agent disabled: option 'interval' has bad value 'soon': "
                + "expected a duration like 500ms, 1s, 5m", e.getMessage());
    }

    @Test
    void malformedSizeFromTheEnvironmentIsReportedToo() {
        OptionException e = assertThrows(OptionException.class,
                () -> OptionsParser.parse(null, new Properties(), Map.of("HEADROOM_LIMIT", "lots")));
        assertTrue(e.getMessage().contains("option 'limit' has bad value 'lots'"), e.getMessage());
    }

    @Test
    void unknownKeysInAgentArgumentsOrPropertiesAreErrorsButUnknownEnvironmentIsIgnored() throws Exception {
        OptionException a = assertThrows(OptionException.class,
                () -> OptionsParser.parse("intervall=1s", new Properties(), Map.of()));
        assertTrue(a.getMessage().contains("unknown agent argument 'intervall'"), a.getMessage());
        OptionException p = assertThrows(OptionException.class,
                () -> OptionsParser.parse(null, props("headroom.evenLog", "x"), Map.of()));
        assertTrue(p.getMessage().contains("unknown system property 'headroom.evenLog'"), p.getMessage());
        OptionsParser.parse(null, new Properties(), Map.of("HEADROOM_SOMETHING_ELSE", "x"));
    }

    @Test
    void anUnknownKeyNamesTheKeyItMostLikelyMeantAndWhereTheListIs() {
        assertEquals("headroom: agent disabled: unknown agent argument 'intervall'; did you mean 'interval'?"
                + " (every key: docs/configuration.md)", unknownMessage("intervall=1s", new Properties()));
        assertTrue(unknownMessage("eventlog=x", new Properties()).contains("did you mean 'eventLog'?"));
        assertTrue(unknownMessage("dumpdri=x", new Properties()).contains("did you mean 'dumpDir'?"));
        assertTrue(unknownMessage(null, props("headroom.evenLog", "x")).contains("did you mean 'headroom.eventLog'?"));
        // Nothing near: no guess, only where the list is.
        String far = unknownMessage("colour=red", new Properties());
        assertFalse(far.contains("did you mean"), far);
        assertTrue(far.endsWith("(every key: docs/configuration.md)"), far);
    }

    @Test
    void everyKeyIsListedInTheConfigurationReference() throws Exception {
        // The unknown-key line sends the reader to docs/configuration.md: every key must be there.
        Path doc = Path.of("..", "docs", "configuration.md");
        String text = Files.readString(doc);
        for (Key k : Key.values()) {
            assertTrue(text.contains("| `" + k.optionName() + "` | `" + k.environmentVariable() + "` |"),
                    k.optionName() + " is missing from " + doc);
        }
    }

    private static String unknownMessage(String agentArgs, Properties properties) {
        return assertThrows(OptionException.class, () -> OptionsParser.parse(agentArgs, properties, Map.of()))
                .getMessage();
    }

    @Test
    void pieceWithoutEqualsAndRepeatedKeysAreErrors() {
        assertThrows(OptionException.class, () -> OptionsParser.parse("interval", new Properties(), Map.of()));
        assertThrows(OptionException.class,
                () -> OptionsParser.parse("interval=1s,interval=2s", new Properties(), Map.of()));
    }

    @Test
    void tooShortIntervalAndZeroLimitAreRefused() {
        assertThrows(OptionException.class, () -> OptionsParser.parse("interval=1ms", new Properties(), Map.of()));
        assertThrows(OptionException.class, () -> OptionsParser.parse("limit=0", new Properties(), Map.of()));
        assertThrows(OptionException.class, () -> OptionsParser.parse("quiet=yes", new Properties(), Map.of()));
    }

    @Test
    void anIntervalOfDaysIsRefusedWithItsRange() {
        // 200000d in nanoseconds overflows a long: the agent's thread once spun a core on it.
        OptionException e = assertThrows(OptionException.class,
                () -> OptionsParser.parse("interval=200000d", new Properties(), Map.of()));
        assertEquals("headroom: agent disabled: option 'interval' has bad value '200000d': expected a duration"
                + " from 10ms to 1h", e.getMessage());
        OptionException count = assertThrows(OptionException.class,
                () -> OptionsParser.parse("flightHistory=100000", new Properties(), Map.of()));
        assertTrue(count.getMessage().endsWith("expected a whole number from 1 to 3600"), count.getMessage());
    }

    @Test
    void everyRangeIsInTheConfigurationReference() throws java.io.IOException {
        String text = java.nio.file.Files.readString(Path.of("..", "docs", "configuration.md"));
        for (Key key : Key.values()) {
            Ranges.Range range = Ranges.of(key);
            if (range != null) {
                assertTrue(text.contains("| `" + key.optionName() + "` | " + range.text() + " |"),
                        "docs/configuration.md lacks the range of " + key.optionName());
            }
        }
    }

    @Test
    void environmentVariableNamesSplitCamelCase() {
        assertEquals("HEADROOM_EVENT_LOG", Key.EVENT_LOG.environmentVariable());
        assertEquals("HEADROOM_INTERVAL", Key.INTERVAL.environmentVariable());
        assertEquals("headroom.dumpDir", Key.DUMP_DIR.systemProperty());
    }

    @Test
    void configurationReferenceDocumentsEveryKey() throws Exception {
        Path doc = Path.of("..", "docs", "configuration.md");
        String text = Files.readString(doc);
        for (Key key : Key.values()) {
            assertTrue(text.contains("`" + key.optionName() + "`"), "docs/configuration.md lacks " + key.optionName());
            assertTrue(text.contains(key.environmentVariable()), "docs/configuration.md lacks " + key.environmentVariable());
        }
    }
}
