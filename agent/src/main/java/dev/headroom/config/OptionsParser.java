package dev.headroom.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads options from the agent argument string ({@code key=value,key=value}), then system
 * properties ({@code -Dheadroom.key=value}), then the environment ({@code HEADROOM_KEY}), then the
 * defaults: the first that names a key wins.
 *
 * <p>Unknown keys in the agent arguments or in {@code headroom.*} system properties are errors,
 * since they are almost always typos of a real key; unknown {@code HEADROOM_*} environment
 * variables are ignored, since environments carry variables meant for other things.
 */
public final class OptionsParser {

    private OptionsParser() {
    }

    public static Options parse(String agentArgs, Properties systemProperties, Map<String, String> environment)
            throws OptionException {
        Map<Key, String> raw = new EnumMap<>(Key.class);
        Map<Key, String> origin = new EnumMap<>(Key.class);

        for (Map.Entry<String, String> e : splitAgentArgs(agentArgs).entrySet()) {
            Key key = Key.byName(e.getKey());
            if (key == null) {
                throw unknown(e.getKey(), "", "agent argument");
            }
            raw.put(key, e.getValue());
            origin.put(key, "agent argument");
        }
        for (String name : systemProperties.stringPropertyNames()) {
            if (!name.startsWith("headroom.")) {
                continue;
            }
            Key key = Key.byName(name.substring("headroom.".length()));
            if (key == null) {
                throw unknown(name, "headroom.", "system property");
            }
            if (!raw.containsKey(key)) {
                raw.put(key, systemProperties.getProperty(name));
                origin.put(key, "system property");
            }
        }
        for (Key key : Key.values()) {
            if (!raw.containsKey(key)) {
                String value = environment.get(key.environmentVariable());
                if (value != null) {
                    raw.put(key, value);
                    origin.put(key, "environment");
                }
            }
        }

        Map<String, String> effective = new LinkedHashMap<>();
        for (Key key : Key.values()) {
            String value = raw.getOrDefault(key, key.defaultValue());
            effective.put(key.optionName(), value);
        }

        long interval = duration(Key.INTERVAL, raw);
        long limit = bytes(Key.LIMIT, raw);
        Path cgroupRoot = path(Key.CGROUP_ROOT, raw);
        Path procRoot = path(Key.PROC_ROOT, raw);
        if (cgroupRoot == null || procRoot == null) {
            Key k = cgroupRoot == null ? Key.CGROUP_ROOT : Key.PROC_ROOT;
            throw new OptionException(message(k, raw.get(k), "a directory"));
        }
        double warnShare = share(Key.WARN_SHARE, raw);
        double criticalShare = share(Key.CRITICAL_SHARE, raw);
        if (criticalShare < warnShare) {
            throw new OptionException(message(Key.CRITICAL_SHARE, String.valueOf(criticalShare),
                    "a share at least warnShare (" + warnShare + ")"));
        }
        long dumpSpeed = bytes(Key.DUMP_SPEED, raw);
        Options.Policy policy = new Options.Policy(duration(Key.HORIZON, raw), warnShare, criticalShare,
                duration(Key.COOLDOWN, raw), dumpSpeed);
        String dumpCompress = raw.getOrDefault(Key.DUMP_COMPRESS, Key.DUMP_COMPRESS.defaultValue()).trim()
                .toLowerCase(Locale.ROOT);
        if (!List.of("auto", "gzip", "off").contains(dumpCompress)) {
            throw new OptionException(message(Key.DUMP_COMPRESS, dumpCompress, "auto, gzip or off"));
        }
        Options.Evidence evidence = new Options.Evidence(bool(Key.HEAP_DUMP, raw), bool(Key.DUMP_LIVE, raw),
                bool(Key.DUMP_FORCE, raw), integer(Key.MAX_DUMPS, raw), duration(Key.DUMP_INTERVAL, raw),
                integer(Key.KEEP_DUMPS, raw), bytes(Key.DUMP_MARGIN, raw), bool(Key.HISTOGRAM, raw),
                bool(Key.HISTOGRAM_LIVE, raw), dumpCompress);
        String hook = raw.getOrDefault(Key.HOOK, Key.HOOK.defaultValue()).trim();
        if (!hook.isEmpty() && !hook.startsWith("/")) {
            throw new OptionException(message(Key.HOOK, hook, "a command with an absolute path, like /usr/local/bin/notify"));
        }
        Options.Relief relief = new Options.Relief(bool(Key.TRIM_NATIVE_HEAP, raw), bool(Key.GC_ON_CRITICAL, raw),
                bytes(Key.SOFT_MAX_HEAP_SIZE, raw), hook, duration(Key.HOOK_TIMEOUT, raw), path(Key.HOOK_OUTPUT, raw));
        String terminationLog = raw.getOrDefault(Key.TERMINATION_LOG, Key.TERMINATION_LOG.defaultValue()).trim();
        if (terminationLog.isEmpty()) {
            throw new OptionException(message(Key.TERMINATION_LOG, terminationLog, "auto, off, or a path"));
        }
        String meterNames = raw.getOrDefault(Key.METER_NAMES, Key.METER_NAMES.defaultValue()).trim()
                .toLowerCase(Locale.ROOT);
        if (!List.of("headroom", "otel", "both").contains(meterNames)) {
            throw new OptionException(message(Key.METER_NAMES, meterNames, "headroom, otel or both"));
        }
        Options.Outputs outputs = new Options.Outputs(path(Key.FLIGHT_FILE, raw), integer(Key.FLIGHT_HISTORY, raw),
                terminationLog, bool(Key.MICROMETER, raw), meterNames, bool(Key.JMX, raw), bool(Key.JFR, raw),
                duration(Key.BUDGET_WARMUP, raw));
        return new Options(interval, duration(Key.SNAPSHOT_EVERY, raw), duration(Key.NMT_EVERY, raw),
                bool(Key.QUICK_TICKS, raw), bool(Key.LIGHT_JIT, raw), path(Key.EVENT_LOG, raw), path(Key.DUMP_DIR, raw), limit, cgroupRoot, procRoot, bool(Key.QUIET, raw),
                policy, evidence, relief, outputs, effective);
    }

    /** Splits {@code a=1,b=2}; a value may not contain a comma. Empty pieces are ignored. */
    static Map<String, String> splitAgentArgs(String agentArgs) throws OptionException {
        Map<String, String> out = new LinkedHashMap<>();
        if (agentArgs == null || agentArgs.isBlank()) {
            return out;
        }
        for (String piece : agentArgs.split(",")) {
            if (piece.isBlank()) {
                continue;
            }
            int eq = piece.indexOf('=');
            if (eq <= 0) {
                throw new OptionException("headroom: agent disabled: agent argument '" + piece.trim()
                        + "' is not key=value (known keys: " + knownKeys() + ")");
            }
            String key = piece.substring(0, eq).trim();
            if (out.containsKey(key)) {
                throw new OptionException("headroom: agent disabled: option '" + key + "' is given twice in the agent arguments");
            }
            out.put(key, piece.substring(eq + 1).trim());
        }
        return out;
    }

    private static long duration(Key key, Map<Key, String> raw) throws OptionException {
        String value = raw.getOrDefault(key, key.defaultValue());
        long millis;
        try {
            millis = Quantities.parseDurationMillis(value);
        } catch (NumberFormatException e) {
            throw new OptionException(message(key, value, key.kind().expected));
        }
        return inRange(key, value, millis, "a duration");
    }

    /** The value when it lies in the key's range (see {@link Ranges}); else the error naming the range. */
    private static long inRange(Key key, String value, long parsed, String what) throws OptionException {
        Ranges.Range range = Ranges.of(key);
        if (range != null && !range.contains(parsed)) {
            throw new OptionException(message(key, value.trim(), what + " " + range.text()));
        }
        return parsed;
    }

    private static int integer(Key key, Map<Key, String> raw) throws OptionException {
        String value = raw.getOrDefault(key, key.defaultValue()).trim();
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new OptionException(message(key, value, "a whole number " + Ranges.of(key).text()));
        }
        return (int) inRange(key, value, n, "a whole number");
    }

    private static double share(Key key, Map<Key, String> raw) throws OptionException {
        String value = raw.getOrDefault(key, key.defaultValue()).trim();
        try {
            double d = Double.parseDouble(value);
            if (!(d > 0 && d <= 1)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new OptionException(message(key, value, key.kind().expected));
        }
    }

    private static long bytes(Key key, Map<Key, String> raw) throws OptionException {
        String value = raw.getOrDefault(key, key.defaultValue());
        if (value.isBlank()) {
            // Unset is a value only for a size that has no default (limit, softMaxHeapSize).
            if (key.defaultValue().isEmpty()) {
                return -1;
            }
            throw new OptionException(message(key, value, key.kind().expected));
        }
        long bytes;
        try {
            bytes = Quantities.parseBytes(value);
        } catch (NumberFormatException e) {
            throw new OptionException(message(key, value, key.kind().expected));
        }
        return inRange(key, value, bytes, "a size");
    }

    private static Path path(Key key, Map<Key, String> raw) throws OptionException {
        String value = raw.getOrDefault(key, key.defaultValue());
        if (value.isBlank()) {
            return null;
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new OptionException(message(key, value, key.kind().expected));
        }
    }

    private static boolean bool(Key key, Map<Key, String> raw) throws OptionException {
        String value = raw.getOrDefault(key, key.defaultValue()).trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new OptionException(message(key, value, key.kind().expected));
        };
    }

    private static String message(Key key, String value, String expected) {
        return "headroom: agent disabled: option '" + key.optionName() + "' has bad value '" + value
                + "': expected " + expected;
    }

    /**
     * One line: the unknown name, the key it most likely meant, and where the list is. The list of
     * all keys is in docs/configuration.md, not in the line: thirty-odd names bury the one that matters.
     */
    private static OptionException unknown(String name, String prefix, String where) {
        Key meant = NearestKey.to(name.substring(prefix.length()));
        return new OptionException("headroom: agent disabled: unknown " + where + " '" + name + "'"
                + (meant == null ? "" : "; did you mean '" + prefix + meant.optionName() + "'?")
                + " (every key: docs/configuration.md)");
    }

    private static String knownKeys() {
        StringBuilder sb = new StringBuilder();
        for (Key k : Key.values()) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(k.optionName());
        }
        return sb.toString();
    }
}
