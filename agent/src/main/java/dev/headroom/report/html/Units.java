package dev.headroom.report.html;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * How the page writes sizes, rates, durations and times. Sizes are binary units (MiB, GiB)
 * because that is what -Xmx, the cgroup limit and Kubernetes' "Mi"/"Gi" mean.
 *
 * <p>Sizes go through {@code dev.headroom.report.Bytes}, so the page and {@code inspect} write
 * them alike.
 */
final class Units {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLOCK_MILLIS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Units() {
    }

    /** "300.0 MiB", the same words as {@code inspect}. */
    static String bytes(long bytes) {
        return dev.headroom.report.Bytes.human(bytes);
    }

    /** A growth rate, "30.0 MiB/s"; small rates per minute or hour so they do not read as 0. */
    static String rate(double bytesPerSecond) {
        double abs = Math.abs(bytesPerSecond);
        if (abs >= 1024 * 1024 || abs == 0) {
            return bytes(Math.round(bytesPerSecond)) + "/s";
        }
        if (abs * 60 >= 1024 * 1024) {
            return bytes(Math.round(bytesPerSecond * 60)) + "/min";
        }
        return bytes(Math.round(bytesPerSecond * 3600)) + "/h";
    }

    /** "10.4 s", "3 min 12 s", "2 h 05 min", "1 d 2 h". */
    static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "unknown";
        }
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        long s = Math.round(seconds);
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        if (s < 86_400) {
            return (s / 3600) + " h " + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + " min";
        }
        return (s / 86_400) + " d " + ((s % 86_400) / 3600) + " h";
    }

    static String clock(long epochMillis) {
        return CLOCK.format(Instant.ofEpochMilli(epochMillis));
    }

    static String clockMillis(long epochMillis) {
        return CLOCK_MILLIS.format(Instant.ofEpochMilli(epochMillis));
    }

    static String date(long epochMillis) {
        return DATE.format(Instant.ofEpochMilli(epochMillis));
    }

    static String percent(double ratio) {
        if (Math.abs(ratio) < 0.005) {
            return "0%";
        }
        return String.format(Locale.ROOT, "%.0f%%", ratio * 100);
    }

    /** A coordinate for SVG: one decimal is finer than a pixel and keeps the page small. */
    static String coord(double v) {
        long tenths = Math.round(v * 10);
        long whole = tenths / 10;
        long frac = Math.abs(tenths % 10);
        if (frac == 0) {
            return Long.toString(whole);
        }
        return (tenths < 0 && whole == 0 ? "-" : "") + whole + "." + frac;
    }
}
