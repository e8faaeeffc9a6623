package dev.headroom.config;

import static dev.headroom.fuzz.Mutations.mutate;
import static dev.headroom.fuzz.Mutations.pick;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.headroom.fuzz.Fuzz;
import dev.headroom.fuzz.Mutations;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Generated agent options. Every well-formed option string, spread over agent arguments, {@code headroom.*} system
 * properties and {@code HEADROOM_*} variables, parses and gives back its values with the documented precedence;
 * mutated ones give the checked {@link OptionException} or valid options, never anything unchecked.
 */
class OptionsParserFuzzTest {

    private static final Fuzz.Tally TALLY = new Fuzz.Tally("options");

    @AfterAll
    static void summary() {
        TALLY.print();
    }

    /** Where one option was given. */
    private enum Source { ARGS, PROPERTY, ENV }

    /** The three places, each with its text per key, and the value that must win. */
    private record Given(Map<Key, String> args, Map<Key, String> properties, Map<Key, String> env,
                         Map<Key, Object> expected, Map<Key, String> effective) {

        String agentArgs() {
            StringBuilder sb = new StringBuilder();
            args.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k.optionName()).append('=').append(v));
            return sb.toString();
        }

        Properties systemProperties() {
            Properties p = new Properties();
            p.setProperty("java.version", "17");
            properties.forEach((k, v) -> p.setProperty(k.systemProperty(), v));
            return p;
        }

        Map<String, String> environment() {
            Map<String, String> e = new HashMap<>();
            e.put("PATH", "/usr/bin");
            e.put("HEADROOM_SOMETHING_ELSE", "ignored");
            env.forEach((k, v) -> e.put(k.environmentVariable(), v));
            return e;
        }

        String describe() {
            return "args: " + agentArgs() + "\nproperties: " + properties + "\nenv: " + env;
        }
    }

    @Test
    void wellFormedOptionsAreAcceptedAndComeBack() {
        Fuzz.run(TALLY, "options generated", 60_000, OptionsParserFuzzTest::generate, Given::describe, g -> {
            Options o = OptionsParser.parse(g.agentArgs(), g.systemProperties(), g.environment());
            for (Map.Entry<Key, Object> e : g.expected().entrySet()) {
                assertEquals(e.getValue(), valueOf(o, e.getKey()), e.getKey().optionName());
            }
            for (Map.Entry<Key, String> e : g.effective().entrySet()) {
                assertEquals(e.getValue(), o.effective().get(e.getKey().optionName()), "effective " + e.getKey());
            }
            assertBounded(o);
        });
    }

    @Test
    void mutatedOptionsAreRejectedWithAMessageOrAcceptedWithinBounds() {
        Fuzz.run(TALLY, "options mutated", 60_000, r -> {
            Given g = generate(r);
            return new Given(mutateValues(g.args(), r), mutateValues(g.properties(), r), mutateValues(g.env(), r),
                    Map.of(), Map.of());
        }, Given::describe, g -> {
            String args = g.agentArgs();
            if (args.length() > 0 && args.hashCode() % 3 == 0) {
                // whole-string damage too: separators, '=' and ',' lost or doubled
                args = mutate(args, new SplittableRandom(args.hashCode()));
            }
            Options o;
            try {
                o = OptionsParser.parse(args, g.systemProperties(), g.environment());
            } catch (OptionException reported) {
                String m = reported.getMessage();
                assertTrue(m != null && m.startsWith("headroom: agent disabled: "), m);
                return;
            }
            assertBounded(o);
        });
    }

    private static Map<Key, String> mutateValues(Map<Key, String> values, SplittableRandom r) {
        Map<Key, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, r.nextInt(3) == 0 ? mutate(v, r) : v));
        return out;
    }

    private static void assertBounded(Options o) {
        assertTrue(o.intervalMillis() >= 10, "interval");
        assertTrue(o.snapshotEveryMillis() >= 0 && o.nmtEveryMillis() >= 0, "durations");
        assertTrue(o.limitBytes() == -1 || o.limitBytes() > 0, "limit");
        assertNotNull(o.cgroupRoot());
        assertNotNull(o.procRoot());
        Options.Policy p = o.policy();
        assertTrue(p.warnShare() > 0 && p.warnShare() <= 1 && p.criticalShare() >= p.warnShare()
                && p.criticalShare() <= 1, "shares");
        assertTrue(p.horizonMillis() >= 0 && p.cooldownMillis() >= 0 && p.dumpBytesPerSecond() > 0, "policy");
        Options.Evidence e = o.evidence();
        assertTrue(e.maxDumps() >= 0 && e.maxDumps() <= 1_000_000 && e.keep() >= 0 && e.keep() <= 1_000_000);
        assertTrue(e.dumpIntervalMillis() >= -1 && e.marginBytes() >= -1);
        assertTrue(o.relief().softMaxHeapBytes() >= -1 && o.relief().hookTimeoutMillis() >= 0);
        assertTrue(o.relief().hook().isEmpty() || o.relief().hook().startsWith("/"));
        assertTrue(!o.outputs().terminationLog().isEmpty());
        assertTrue(o.outputs().flightHistory() >= 0 && o.outputs().flightHistory() <= 1_000_000);
        assertEquals(Key.values().length, o.effective().size());
        for (Key key : Key.values()) {
            Ranges.Range range = Ranges.of(key);
            if (range != null) {
                long v = ((Number) valueOf(o, key)).longValue();
                // -1: a size option left unset (limit, softMaxHeapSize)
                assertTrue(v == -1 && key.kind() == Key.Kind.BYTES || range.contains(v),
                        key.optionName() + " = " + v + " outside " + range.text());
            }
        }
    }

    @Test
    void valuesJustOutsideEachRangeAreRefusedWithTheRangeInTheMessage() {
        Fuzz.run(TALLY, "options out of range", 5_000, r -> {
            Key[] ranged = java.util.Arrays.stream(Key.values()).filter(k -> Ranges.of(k) != null).toArray(Key[]::new);
            Key key = ranged[r.nextInt(ranged.length)];
            Ranges.Range range = Ranges.of(key);
            boolean below = range.min() > 0 && r.nextBoolean();
            long beyond = below ? range.min() - 1 - r.nextLong(range.min())
                    : range.max() + 1 + r.nextLong(range.max());
            String text = switch (key.kind()) {
                case DURATION -> beyond + "ms";
                default -> Long.toString(beyond);
            };
            return Map.entry(key, text);
        }, e -> e.getKey().optionName() + "=" + e.getValue(), e -> {
            OptionException x = org.junit.jupiter.api.Assertions.assertThrows(OptionException.class,
                    () -> OptionsParser.parse(e.getKey().optionName() + "=" + e.getValue(), new Properties(), Map.of()));
            assertTrue(x.getMessage().contains(Ranges.of(e.getKey()).text()), x.getMessage());
        });
    }

    // ---- generation ------------------------------------------------------------------------------------------

    private static Given generate(SplittableRandom r) {
        Map<Key, String> args = new EnumMap<>(Key.class);
        Map<Key, String> properties = new EnumMap<>(Key.class);
        Map<Key, String> env = new EnumMap<>(Key.class);
        Map<Key, Object> expected = new EnumMap<>(Key.class);
        Map<Key, String> effective = new EnumMap<>(Key.class);
        double warn = 0;
        for (Key key : Key.values()) {
            if (r.nextInt(3) == 0) {
                continue;
            }
            Value v = value(key, r, warn);
            if (key == Key.WARN_SHARE) {
                warn = (double) v.expected();
            }
            // the winner first, then maybe the same key in the places it wins over, with a different value
            Source winner = Source.values()[r.nextInt(3)];
            (winner == Source.ARGS ? args : winner == Source.PROPERTY ? properties : env).put(key, v.text());
            expected.put(key, v.expected());
            effective.put(key, winner == Source.ARGS ? v.text().trim() : v.text());
            Value loser = value(key, r, warn);
            if (winner == Source.ARGS && r.nextBoolean()) {
                properties.put(key, loser.text());
            }
            if (winner != Source.ENV && r.nextBoolean()) {
                env.put(key, loser.text());
            }
        }
        if (!expected.containsKey(Key.WARN_SHARE) && expected.containsKey(Key.CRITICAL_SHARE)
                && (double) expected.get(Key.CRITICAL_SHARE) < 0.85) {
            // the default warnShare is 0.85: keep criticalShare at or above it
            for (Map<Key, String> place : java.util.List.of(args, properties, env)) {
                place.remove(Key.CRITICAL_SHARE);
            }
            expected.remove(Key.CRITICAL_SHARE);
            effective.remove(Key.CRITICAL_SHARE);
        }
        if (expected.containsKey(Key.WARN_SHARE) && !expected.containsKey(Key.CRITICAL_SHARE) && warn > 0.95) {
            // the default criticalShare is 0.95: give one at or above warnShare
            args.put(Key.CRITICAL_SHARE, "1");
            expected.put(Key.CRITICAL_SHARE, 1.0);
            effective.put(Key.CRITICAL_SHARE, "1");
        }
        return new Given(args, properties, env, expected, effective);
    }

    private record Value(String text, Object expected) {
    }

    /** A well-formed value of the key's kind, as a person would write it, and what it must parse to. */
    private static Value value(Key key, SplittableRandom r, double warn) {
        String pad = r.nextInt(6) == 0 ? " " : "";
        return switch (key) {
            case INTERVAL, SNAPSHOT_EVERY, NMT_EVERY, HORIZON, COOLDOWN, DUMP_INTERVAL, HOOK_TIMEOUT,
                 BUDGET_WARMUP -> {
                // Anywhere in the key's range (Ranges), in any unit that can say a value in it.
                Ranges.Range range = Ranges.of(key);
                String[] units = {"ms", "s", "m", "min", "h", "d"};
                long[] millis = {1, 1_000, 60_000, 60_000, 3_600_000, 86_400_000};
                int u;
                do {
                    u = r.nextInt(units.length);
                } while (millis[u] > range.max());
                long lo = (range.min() + millis[u] - 1) / millis[u];
                long n = lo + r.nextLong(range.max() / millis[u] - lo + 1);
                String number = Long.toString(n);
                long expected = n * millis[u];
                if (u > 0 && r.nextInt(4) == 0 && expected + millis[u] / 2 <= range.max()) {
                    number = n + ".5";
                    expected += millis[u] / 2;
                }
                String unit = r.nextInt(5) == 0 ? units[u].toUpperCase(Locale.ROOT) : units[u];
                yield new Value(pad + number + unit + pad, expected);
            }
            case LIMIT, DUMP_MARGIN, DUMP_SPEED, SOFT_MAX_HEAP_SIZE -> {
                Ranges.Range range = Ranges.of(key);
                String[] units = {"", "k", "m", "g", "t"};
                int u = r.nextInt(units.length);
                long lo = Math.max(1, (range.min() + (1L << (10 * u)) - 1) >> (10 * u));
                long hi = Math.min(range.max() >> (10 * u), 1L << 30);
                long n = lo + r.nextLong(hi - lo + 1);
                String suffix = u == 0 ? pick(r, "", "b") : pick(r, "", "b", "ib", "B", "iB");
                String unit = r.nextBoolean() ? units[u].toUpperCase(Locale.ROOT) : units[u];
                yield new Value(pad + n + unit + suffix + pad, n << (10 * u));
            }
            case EVENT_LOG, DUMP_DIR, CGROUP_ROOT, PROC_ROOT, HOOK_OUTPUT, FLIGHT_FILE -> {
                String path = path(r);
                yield new Value(path, Path.of(path));
            }
            case QUIET, QUICK_TICKS, LIGHT_JIT, HEAP_DUMP, DUMP_LIVE, DUMP_FORCE, HISTOGRAM, HISTOGRAM_LIVE, TRIM_NATIVE_HEAP, GC_ON_CRITICAL,
                    MICROMETER, JMX, JFR -> {
                boolean b = r.nextBoolean();
                String text = Boolean.toString(b);
                yield new Value(pad + (r.nextBoolean() ? text.toUpperCase(Locale.ROOT) : text) + pad, b);
            }
            case MAX_DUMPS, KEEP_DUMPS, FLIGHT_HISTORY -> {
                Ranges.Range range = Ranges.of(key);
                int n = (int) (range.min() + r.nextLong(range.max() - range.min() + 1));
                yield new Value(pad + n + pad, n);
            }
            case WARN_SHARE -> {
                int hundredths = 1 + r.nextInt(100);
                yield new Value(share(hundredths), hundredths / 100.0);
            }
            case CRITICAL_SHARE -> {
                int from = Math.max(1, (int) Math.ceil(warn * 100));
                int hundredths = from + r.nextInt(101 - from);
                yield new Value(share(hundredths), hundredths / 100.0);
            }
            case HOOK -> {
                String hook = r.nextInt(4) == 0 ? "" : path(r) + (r.nextBoolean() ? " --flag x" : "");
                yield new Value(hook, hook.trim());
            }
            case TERMINATION_LOG -> {
                String t = pick(r, "auto", "off", "/dev/termination-log", path(r));
                yield new Value(t, t.trim());
            }
            case METER_NAMES -> {
                String n = pick(r, "headroom", "otel", "both");
                yield new Value(pad + (r.nextBoolean() ? n.toUpperCase(Locale.ROOT) : n) + pad, n);
            }
            case DUMP_COMPRESS -> {
                String n = pick(r, "auto", "gzip", "off");
                yield new Value(pad + (r.nextBoolean() ? n.toUpperCase(Locale.ROOT) : n) + pad, n);
            }
        };
    }

    private static String share(int hundredths) {
        return hundredths == 100 ? "1" : hundredths % 10 == 0 ? "0." + hundredths / 10
                : String.format(Locale.ROOT, "0.%02d", hundredths);
    }

    /** An absolute path without commas (the agent argument separator), sometimes with spaces or unicode inside. */
    private static String path(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int parts = 1 + r.nextInt(4);
        for (int i = 0; i < parts; i++) {
            sb.append('/');
            int n = 1 + r.nextInt(10);
            for (int j = 0; j < n; j++) {
                sb.append(r.nextInt(12) == 0 ? pick(r, " ", "é", "-", "_", ".", "=", ":", "\u4e2d")
                        : String.valueOf((char) ('a' + r.nextInt(26))));
            }
        }
        String path = sb.toString();
        return path.endsWith(" ") ? path + "x" : path;
    }

    private static Object valueOf(Options o, Key key) {
        return switch (key) {
            case INTERVAL -> o.intervalMillis();
            case SNAPSHOT_EVERY -> o.snapshotEveryMillis();
            case NMT_EVERY -> o.nmtEveryMillis();
            case EVENT_LOG -> o.eventLog();
            case DUMP_DIR -> o.dumpDir();
            case LIMIT -> o.limitBytes();
            case CGROUP_ROOT -> o.cgroupRoot();
            case PROC_ROOT -> o.procRoot();
            case QUIET -> o.quiet();
            case QUICK_TICKS -> o.quickTicks();
            case LIGHT_JIT -> o.lightJit();
            case HORIZON -> o.policy().horizonMillis();
            case WARN_SHARE -> o.policy().warnShare();
            case CRITICAL_SHARE -> o.policy().criticalShare();
            case COOLDOWN -> o.policy().cooldownMillis();
            case HEAP_DUMP -> o.evidence().heapDump();
            case DUMP_LIVE -> o.evidence().dumpLive();
            case DUMP_FORCE -> o.evidence().dumpForce();
            case MAX_DUMPS -> o.evidence().maxDumps();
            case DUMP_INTERVAL -> o.evidence().dumpIntervalMillis();
            case KEEP_DUMPS -> o.evidence().keep();
            case DUMP_MARGIN -> o.evidence().marginBytes();
            case DUMP_SPEED -> o.policy().dumpBytesPerSecond();
            case HISTOGRAM -> o.evidence().histogram();
            case HISTOGRAM_LIVE -> o.evidence().histogramLive();
            case TRIM_NATIVE_HEAP -> o.relief().trimNativeHeap();
            case GC_ON_CRITICAL -> o.relief().gc();
            case SOFT_MAX_HEAP_SIZE -> o.relief().softMaxHeapBytes();
            case HOOK -> o.relief().hook();
            case HOOK_TIMEOUT -> o.relief().hookTimeoutMillis();
            case HOOK_OUTPUT -> o.relief().hookOutput();
            case FLIGHT_FILE -> o.outputs().flightFile();
            case FLIGHT_HISTORY -> o.outputs().flightHistory();
            case TERMINATION_LOG -> o.outputs().terminationLog();
            case BUDGET_WARMUP -> o.outputs().budgetWarmupMillis();
            case MICROMETER -> o.outputs().micrometer();
            case METER_NAMES -> o.outputs().meterNames();
            case DUMP_COMPRESS -> o.evidence().dumpCompress();
            case JMX -> o.outputs().jmx();
            case JFR -> o.outputs().jfr();
        };
    }
}
