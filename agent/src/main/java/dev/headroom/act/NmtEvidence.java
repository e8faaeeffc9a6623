package dev.headroom.act;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Native Memory Tracking as evidence: a baseline taken at start ({@code VM.native_memory baseline}),
 * then at evidence time the {@code summary} and the {@code summary.diff} against that baseline,
 * each written to a 0600 file in the private evidence directory. The diff is what tells which
 * native category grew since start. NMT can only be switched on at launch
 * ({@code -XX:NativeMemoryTracking=summary}); when it is off, the results say so and nothing is
 * written — that is not an error.
 */
public final class NmtEvidence {

    static final String SUMMARY_SUFFIX = ".nmt.txt";
    static final String DIFF_SUFFIX = ".nmt-diff.txt";

    /** What HotSpot prints for any NMT command when tracking is off. */
    static final String NOT_ENABLED = "Native memory tracking is not enabled";

    /**
     * @param summaryPath the summary file when written, else {@code null}
     * @param diffPath    the diff file when written, else {@code null} (no baseline, or a baseline only)
     * @param reason      why something was not done; for DONE, a note (e.g. no baseline for the diff) or {@code null}
     */
    public record Result(EvidenceStatus status, Path summaryPath, Path diffPath, String reason) {

        static Result skipped(String reason) {
            return new Result(EvidenceStatus.SKIPPED, null, null, reason);
        }

        static Result failed(String reason) {
            return new Result(EvidenceStatus.FAILED, null, null, reason);
        }
    }

    private final EvidenceDirectory directory;
    private final int keep;
    private final DiagnosticCommands commands;
    private final BooleanSupplier nmtOn;
    private final LongSupplier clock;
    private final long pid;
    private final Supplier<String> randomPart;
    private boolean baselineTaken;

    /**
     * @param keep files of each kind (summary, diff) of ours kept in the directory, counting the new one
     */
    public NmtEvidence(EvidenceDirectory directory, int keep) {
        this(directory, keep, DiagnosticCommands.platform(), NmtEvidence::nmtFlagOn, System::currentTimeMillis,
                ProcessHandle.current().pid(), EvidenceFiles::randomPart);
    }

    NmtEvidence(EvidenceDirectory directory, int keep, DiagnosticCommands commands, BooleanSupplier nmtOn,
                LongSupplier clock, long pid, Supplier<String> randomPart) {
        this.directory = directory;
        this.keep = keep;
        this.commands = commands;
        this.nmtOn = nmtOn;
        this.clock = clock;
        this.pid = pid;
        this.randomPart = randomPart;
    }

    /** Whether NMT is on in this JVM. */
    public boolean enabled() {
        return nmtOn.getAsBoolean();
    }

    /** Takes the baseline that later diffs compare with; call once, at start. Never throws. */
    public synchronized Result baseline() {
        if (!enabled()) {
            return Result.skipped(offReason());
        }
        try {
            String out = commands.run("vmNativeMemory", "baseline");
            if (out.contains(NOT_ENABLED)) {
                return Result.skipped(offReason());
            }
            baselineTaken = true;
            return new Result(EvidenceStatus.DONE, null, null, null);
        } catch (Exception e) {
            return Result.failed("VM.native_memory baseline failed: " + e);
        }
    }

    /** Writes the summary and, when a baseline was taken, the diff. Never throws. */
    public synchronized Result write() {
        if (!enabled()) {
            return Result.skipped(offReason());
        }
        EvidenceDirectory.Prepared dir = directory.prepareSmall();
        if (!dir.ok()) {
            return Result.skipped(dir.reason());
        }
        String summary;
        String diff = null;
        try {
            summary = commands.run("vmNativeMemory", "summary");
            if (summary.contains(NOT_ENABLED)) {
                return Result.skipped(offReason());
            }
            if (baselineTaken) {
                diff = commands.run("vmNativeMemory", "summary.diff");
            }
        } catch (Exception e) {
            return Result.failed("VM.native_memory failed: " + e);
        }
        long now = clock.getAsLong();
        String random = randomPart.get();
        Path d = dir.dir();
        Path summaryPath = d.resolve(EvidenceFiles.name(pid, now, random, SUMMARY_SUFFIX));
        Path diffPath = diff == null ? null : d.resolve(EvidenceFiles.name(pid, now, random, DIFF_SUFFIX));
        try {
            EvidenceFiles.delete(EvidenceFiles.oldestBeyond(d, SUMMARY_SUFFIX, Math.max(keep - 1, 0)));
            EvidenceFiles.writeNew(summaryPath, summary.getBytes(StandardCharsets.UTF_8));
            if (diffPath != null) {
                EvidenceFiles.delete(EvidenceFiles.oldestBeyond(d, DIFF_SUFFIX, Math.max(keep - 1, 0)));
                EvidenceFiles.writeNew(diffPath, diff.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            return Result.failed("cannot write NMT evidence in " + d + ": " + e);
        }
        return new Result(EvidenceStatus.DONE, summaryPath, diffPath,
                diffPath == null ? "no baseline was taken, so no diff" : null);
    }

    private static String offReason() {
        return "NMT is off (start the JVM with -XX:NativeMemoryTracking=summary to have it)";
    }

    static boolean nmtFlagOn() {
        try {
            String v = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("NativeMemoryTracking").getValue();
            return v != null && !"off".equals(v);
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: a runtime without the jdk.management module (jlink, --limit-modules).
            return false;
        }
    }
}
