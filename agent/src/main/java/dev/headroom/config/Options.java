package dev.headroom.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The agent's effective configuration, immutable. Built by {@link OptionsParser}.
 *
 * @param eventLog   {@code null}: no event log
 * @param dumpDir    {@code null}: decided at dump time (-XX:HeapDumpPath, else the working directory)
 * @param limitBytes {@code -1}: none given
 * @param effective  every option's effective value as text, and where it came from, for the {@code start} event
 */
public record Options(
        long intervalMillis,
        long snapshotEveryMillis,
        long nmtEveryMillis,
        Path eventLog,
        Path dumpDir,
        long limitBytes,
        Path cgroupRoot,
        Path procRoot,
        boolean quiet,
        Map<String, String> effective) {

    public Options {
        effective = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(effective));
    }

    /** The defaults, as if no option had been given anywhere. */
    public static Options defaults() {
        try {
            return OptionsParser.parse(null, new java.util.Properties(), Map.of());
        } catch (OptionException e) {
            throw new IllegalStateException("defaults must parse", e);
        }
    }
}
