package dev.headroom.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
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
                throw unknown(e.getKey(), "agent argument");
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
                throw unknown(name, "system property");
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
        if (interval < 10) {
            throw new OptionException(message(Key.INTERVAL, raw.get(Key.INTERVAL), "a duration of at least 10ms"));
        }
        long snapshotEvery = duration(Key.SNAPSHOT_EVERY, raw);
        long nmtEvery = duration(Key.NMT_EVERY, raw);
        Path eventLog = path(Key.EVENT_LOG, raw);
        Path dumpDir = path(Key.DUMP_DIR, raw);
        long limit = bytes(Key.LIMIT, raw);
        if (limit == 0) {
            throw new OptionException(message(Key.LIMIT, raw.get(Key.LIMIT), "a size greater than zero"));
        }
        Path cgroupRoot = path(Key.CGROUP_ROOT, raw);
        Path procRoot = path(Key.PROC_ROOT, raw);
        if (cgroupRoot == null || procRoot == null) {
            Key k = cgroupRoot == null ? Key.CGROUP_ROOT : Key.PROC_ROOT;
            throw new OptionException(message(k, raw.get(k), "a directory"));
        }
        boolean quiet = bool(Key.QUIET, raw);
        return new Options(interval, snapshotEvery, nmtEvery, eventLog, dumpDir, limit, cgroupRoot, procRoot, quiet,
                effective);
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
        try {
            return Quantities.parseDurationMillis(value);
        } catch (NumberFormatException e) {
            throw new OptionException(message(key, value, key.kind().expected));
        }
    }

    private static long bytes(Key key, Map<Key, String> raw) throws OptionException {
        String value = raw.getOrDefault(key, key.defaultValue());
        if (value.isBlank()) {
            return -1;
        }
        try {
            return Quantities.parseBytes(value);
        } catch (NumberFormatException e) {
            throw new OptionException(message(key, value, key.kind().expected));
        }
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

    private static OptionException unknown(String name, String where) {
        return new OptionException("headroom: agent disabled: unknown " + where + " '" + name
                + "' (known keys: " + knownKeys() + ")");
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
