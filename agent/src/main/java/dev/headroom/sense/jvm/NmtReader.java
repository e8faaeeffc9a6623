package dev.headroom.sense.jvm;

import java.lang.management.ManagementFactory;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Reads the Native Memory Tracking summary in-process, through the DiagnosticCommand MBean that {@code jcmd} itself
 * drives ({@code com.sun.management:type=DiagnosticCommand}, operation {@code vmNativeMemory}). No process is
 * spawned. NMT is on only when the JVM was started with {@code -XX:NativeMemoryTracking=summary|detail}; off is a
 * normal state, answered by {@link #enabled()} without a problem.
 *
 * <p>The constructor and {@link #enabled()} do not touch the platform MBean server (creating it early in an agent
 * can upset applications that install their own); only reading the summary does.
 */
public final class NmtReader {

    private static final String DIAGNOSTIC_COMMAND = "com.sun.management:type=DiagnosticCommand";
    private static final String OPERATION = "vmNativeMemory";
    private static final String[] SIGNATURE = {String[].class.getName()};

    /** null until first asked; NMT cannot be switched on in a running JVM, so the answer holds. */
    private volatile Boolean enabled;
    private volatile String lastProblem;

    public NmtReader() {
    }

    /** Whether the JVM tracks native memory; the answer is cached. */
    public boolean enabled() {
        Boolean known = enabled;
        if (known == null) {
            known = detect();
            enabled = known;
        }
        return known;
    }

    // The flag tells without a diagnostic command; a JVM without HotSpotDiagnosticMXBean is asked for the text.
    private boolean detect() {
        String mode = VmOptions.platform().get("NativeMemoryTracking");
        if (mode != null) {
            return !mode.isEmpty() && !"off".equals(mode);
        }
        try {
            return NmtParser.parse(summaryText()) != null;
        } catch (Exception | LinkageError e) {
            lastProblem = "cannot tell whether NMT is on: " + e;
            return false;
        }
    }

    /** The raw text of {@code VM.native_memory summary}, as {@code jcmd} would print it (without the pid line). */
    public String summaryText() throws Exception {
        Object text = ManagementFactory.getPlatformMBeanServer().invoke(diagnosticCommand(), OPERATION,
                new Object[] {new String[] {"summary"}}, SIGNATURE);
        if (!(text instanceof String)) {
            throw new IllegalStateException(OPERATION + " returned " + (text == null ? "null" : text.getClass()));
        }
        return (String) text;
    }

    /**
     * The parsed summary, or {@code null} when NMT is off or the read failed; {@link #lastProblem()} then says why
     * (it stays {@code null} when NMT is simply off).
     */
    public NmtSummary read() {
        if (!enabled()) {
            return null;
        }
        try {
            NmtSummary summary = NmtParser.parse(summaryText());
            if (summary == null) {
                // tracking was shut down since (JDK 8-18 `VM.native_memory shutdown`): stop asking
                enabled = Boolean.FALSE;
            }
            lastProblem = null;
            return summary;
        } catch (NmtFormatException e) {
            lastProblem = e.getMessage();
        } catch (Exception | LinkageError e) {
            lastProblem = "reading NMT through " + DIAGNOSTIC_COMMAND + " failed: " + e;
        }
        return null;
    }

    /** Why the last {@link #read()} returned {@code null} although NMT is on; {@code null} after a good read. */
    public String lastProblem() {
        return lastProblem;
    }

    private static ObjectName diagnosticCommand() throws MalformedObjectNameException {
        return new ObjectName(DIAGNOSTIC_COMMAND);
    }
}
