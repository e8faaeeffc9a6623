package dev.headroom.report;

import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Budget;
import dev.headroom.reconcile.MeasuredBudget;
import dev.headroom.reconcile.Part;
import dev.headroom.reconcile.PartCatalogue;

import java.time.Instant;
import java.util.List;

/**
 * The reconciliation as a fixed-width text table for a terminal: the working set against the
 * limit, one row per part grouped as {@link PartCatalogue#GROUPS}, each part's cause wrapped
 * under it, the unexplained remainder, then the start-up budget. All words about a part come
 * from the part itself (its label, source and cause), so this table and the HTML report say
 * the same thing.
 */
public final class ReconciliationTable {

    static final int WIDTH = 100;
    private static final int LABEL_WIDTH = 36;
    private static final int MIB_WIDTH = 9;
    private static final int PERCENT_WIDTH = 9;
    private static final int CAUSE_INDENT = 6;

    private ReconciliationTable() {
    }

    /** Renders the breakdown, and the budget's summary when one is given. */
    public static String render(Breakdown b, Budget budgetOrNull) {
        return render(b, budgetOrNull, null);
    }

    /**
     * Renders the breakdown, then the budget section: the start-up check (each part expected and at
     * worst) and, when known, the measured budget (each part's peak), each ending in its heap ceiling
     * in the words every other output uses.
     */
    public static String render(Breakdown b, Budget budgetOrNull, MeasuredBudget measuredOrNull) {
        StringBuilder out = new StringBuilder(4096);
        long workingSet = b.workingSetBytes();
        long limit = b.limitBytes();

        out.append("Memory reconciliation");
        if (b.epochMillis() > 0) {
            out.append(" at ").append(Instant.ofEpochMilli(b.epochMillis()));
        }
        out.append('\n');
        if (limit > 0) {
            headerLine(out, "Working set", Bytes.human(workingSet),
                    workingSet >= 0 ? percent(workingSet, limit) + "% of the limit" : "");
            headerLine(out, "Limit", Bytes.human(limit), "");
            long headroom = workingSet >= 0 ? limit - workingSet : -1;
            headerLine(out, "Headroom", Bytes.human(headroom),
                    workingSet >= 0 ? percent(headroom, limit) + "% of the limit" : "");
        } else {
            headerLine(out, "Working set", Bytes.human(workingSet), "");
            headerLine(out, "Limit", "none", "");
            headerLine(out, "Headroom", "no limit", "");
        }
        out.append('\n');

        row(out, "Part", "MiB", "% of WS", "Source", 0);
        rule(out);
        List<Part> parts = b.parts();
        for (String group : PartCatalogue.GROUPS) {
            long subtotal = 0;
            boolean any = false;
            for (Part p : parts) {
                if (inGroup(p, group) && !isUnexplained(p)) {
                    subtotal += p.bytes();
                    any = true;
                }
            }
            if (!any) {
                continue;
            }
            row(out, PartCatalogue.groupTitle(group), Bytes.mib(subtotal), percent(subtotal, workingSet), "", 0);
            for (Part p : parts) {
                if (inGroup(p, group) && !isUnexplained(p)) {
                    partRow(out, p, workingSet, 2);
                }
            }
        }
        for (Part p : parts) {
            if (isUnexplained(p)) {
                rule(out);
                partRow(out, p, workingSet, 0);
            }
        }
        rule(out);
        row(out, "Working set", Bytes.mib(workingSet), workingSet > 0 ? "100.0" : "-", "", 0);

        if (budgetOrNull != null) {
            out.append('\n');
            wrap(out, "Budget: " + budgetOrNull.summary(), 0);
            for (Budget.Item item : budgetOrNull.nonHeap()) {
                row(out, item.name(), Bytes.mib(item.bytes()), "", "expected; " + Bytes.mib(item.worstCaseBytes())
                        + " MiB at worst: " + item.estimate(), 2);
            }
            row(out, "Non-heap", Bytes.mib(budgetOrNull.nonHeapBytes()), "", "expected; "
                    + Bytes.mib(budgetOrNull.worstCaseNonHeapBytes()) + " MiB at worst", 2);
            wrap(out, budgetOrNull.expected().words(), 2);
        }
        if (measuredOrNull != null) {
            out.append('\n');
            wrap(out, "Measured budget: " + measuredOrNull.summary(), 0);
            for (MeasuredBudget.PeakPart p : measuredOrNull.parts()) {
                row(out, p.label(), Bytes.mib(p.bytes()), "", "peak at " + Instant.ofEpochMilli(p.peakMillis()), 2);
            }
            row(out, "Non-heap", Bytes.mib(measuredOrNull.nonHeapPeakBytes()), "", "each part at its peak", 2);
            wrap(out, measuredOrNull.ceiling().words(), 2);
        }
        return out.toString();
    }

    private static boolean isUnexplained(Part p) {
        return PartCatalogue.UNEXPLAINED.equals(p.id());
    }

    /** A part whose group is not one of the known ones is shown under "Other". */
    private static boolean inGroup(Part p, String group) {
        String g = PartCatalogue.GROUPS.contains(p.group()) ? p.group() : PartCatalogue.OTHER;
        return g.equals(group);
    }

    private static void partRow(StringBuilder out, Part p, long workingSet, int indent) {
        row(out, p.label(), Bytes.mib(p.bytes()), percent(p.bytes(), workingSet), p.source(), indent);
        if (p.cause() != null && !p.cause().isEmpty()) {
            wrap(out, p.cause(), CAUSE_INDENT);
        }
    }

    private static void headerLine(StringBuilder out, String name, String value, String note) {
        pad(out, "  " + name, 16);
        padLeft(out, value, 12);
        if (!note.isEmpty()) {
            out.append("   ").append(note);
        }
        out.append('\n');
    }

    private static void row(StringBuilder out, String label, String mib, String percent, String source, int indent) {
        int start = out.length();
        pad(out, " ".repeat(indent) + label, LABEL_WIDTH);
        padLeft(out, mib, MIB_WIDTH);
        padLeft(out, percent, PERCENT_WIDTH);
        if (source != null && !source.isEmpty()) {
            out.append("  ").append(source);
        }
        // No trailing blanks.
        int end = out.length();
        while (end > start && out.charAt(end - 1) == ' ') {
            end--;
        }
        out.setLength(end);
        out.append('\n');
    }

    private static void rule(StringBuilder out) {
        out.append("-".repeat(WIDTH)).append('\n');
    }

    /** Word-wraps {@code text} to {@link #WIDTH} columns, every line indented by {@code indent}. */
    static void wrap(StringBuilder out, String text, int indent) {
        int max = WIDTH - indent;
        int lineLength = 0;
        for (String word : text.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            if (lineLength > 0 && lineLength + 1 + word.length() > max) {
                out.append('\n');
                lineLength = 0;
            }
            if (lineLength == 0) {
                out.append(" ".repeat(indent));
            } else {
                out.append(' ');
                lineLength++;
            }
            out.append(word);
            lineLength += word.length();
        }
        if (lineLength > 0) {
            out.append('\n');
        }
    }

    /** {@code part} as a percentage of {@code whole} with one decimal; "-" when there is no whole. */
    static String percent(long part, long whole) {
        if (whole <= 0) {
            return "-";
        }
        double value = 100.0 * part / whole;
        return (value < 0 ? "-" : "") + Bytes.oneDecimal(Math.abs(value));
    }

    private static void pad(StringBuilder out, String s, int width) {
        out.append(s);
        // A label longer than its column still gets one blank before the next column.
        int blanks = Math.max(1, width - s.length());
        out.append(" ".repeat(blanks));
    }

    private static void padLeft(StringBuilder out, String s, int width) {
        if (s.length() < width) {
            out.append(" ".repeat(width - s.length()));
        }
        out.append(s);
    }
}
