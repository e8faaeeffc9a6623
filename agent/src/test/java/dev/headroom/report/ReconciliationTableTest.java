package dev.headroom.report;

import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Budget;
import dev.headroom.reconcile.BudgetCheck;
import dev.headroom.reconcile.JvmBudgetInputs;
import dev.headroom.reconcile.Part;
import dev.headroom.reconcile.Reconciler;
import dev.headroom.reconcile.SnapshotFixture;
import org.junit.jupiter.api.Test;

import static dev.headroom.reconcile.SnapshotFixture.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReconciliationTableTest {

    private static final Budget BUDGET =
            BudgetCheck.check(512 * MIB, true,
                    new JvmBudgetInputs(460 * MIB, -1, 48 * MIB, -1, MIB, 22, 40, 8_000, -1, -1, -1));

    @Test
    void headerShowsWorkingSetLimitAndHeadroomWithPercentages() {
        String table = ReconciliationTable.render(Reconciler.reconcile(SnapshotFixture.v1WithoutNmt().build()), null);

        // working set 465,055,744 B of 536,870,912: 86.6 %; headroom 71,815,168 B = 68.5 MiB, 13.4 %
        assertTrue(table.contains("Working set"), table);
        assertTrue(table.contains("443.5 MiB   86.6% of the limit"), table);
        assertTrue(table.contains("512.0 MiB"), table);
        assertTrue(table.contains("68.5 MiB   13.4% of the limit"), table);
        assertTrue(table.contains("2024-05-01T"), table);
    }

    @Test
    void everyPartHasARowWithItsMibPercentAndSource() {
        Breakdown b = Reconciler.reconcile(SnapshotFixture.v2WithNmt().build());
        String table = ReconciliationTable.render(b, BUDGET);

        for (Part p : b.parts()) {
            String mib = Bytes.mib(p.bytes());
            String line = lineWith(table, p.label() + " ");
            assertTrue(line.contains(" " + mib + " "), line);
            assertTrue(line.endsWith(p.source()), line);
        }
        // Java heap: 256 of 482 MiB = 53.1 %
        assertTrue(lineWith(table, "Java heap (committed)").contains("256.0     53.1"), table);
    }

    @Test
    void groupsComeInOrderWithTheUnexplainedLineAndTheBudgetLast() {
        String table = ReconciliationTable.render(Reconciler.reconcile(SnapshotFixture.v1WithoutNmt().build()), BUDGET);

        int jvm = table.indexOf("\nJVM ");
        int nativeGroup = table.indexOf("\nNative ");
        int pageCache = table.indexOf("\nPage cache ");
        int kernel = table.indexOf("\nKernel ");
        int other = table.indexOf("\nOther ");
        int unexplained = table.indexOf("\nUnexplained ");
        int budget = table.indexOf("\nBudget: ");
        assertTrue(0 < jvm && jvm < nativeGroup && nativeGroup < pageCache && pageCache < kernel
                && kernel < other && other < unexplained && unexplained < budget, table);
        // JVM subtotal: 377.5 MiB of 443.5 MiB
        assertTrue(lineWith(table, "JVM ").contains("377.5     85.1"), table);
        // Expected non-heap: 60,400,000 + 48 MiB / 4 + 0 + 40 x 256 KiB = 83,468,672 B; 512 MiB less that
        // is 453,402,240 B = 432.4 MiB, 84.45 % of the limit.
        assertTrue(table.contains("Heap can grow to 460 MiB"), table);
        assertTrue(table.contains("-Xmx432m"), table);
        assertTrue(table.contains("-XX:MaxRAMPercentage=84.4."), table);
        assertTrue(table.contains("  heap ceiling 432 MiB (the 512 MiB limit less 80 MiB of non-heap, expected)\n"), table);
    }

    @Test
    void causesAreWrappedUnderTheirRows() {
        Breakdown b = Reconciler.reconcile(SnapshotFixture.v1WithoutNmt().build());
        String table = ReconciliationTable.render(b, null);

        String[] lines = table.split("\n");
        int row = indexOfLineStartingWith(lines, "  " + b.part("nativeUntracked").label());
        assertTrue(row >= 0, table);
        assertTrue(lines[row + 1].startsWith("      Native memory the JVM does not track"), table);
        StringBuilder cause = new StringBuilder();
        for (int i = row + 1; i < lines.length && lines[i].startsWith("      "); i++) {
            assertTrue(lines[i].length() <= ReconciliationTable.WIDTH, lines[i]);
            cause.append(cause.length() == 0 ? "" : " ").append(lines[i].trim());
        }
        assertEquals(b.part("nativeUntracked").cause(), cause.toString());
    }

    @Test
    void withoutALimitTheHeaderSaysSo() {
        String table = ReconciliationTable.render(Reconciler.reconcile(SnapshotFixture.noCgroup().build()), null);

        assertTrue(lineWith(table, "Limit").contains("none"), table);
        assertTrue(lineWith(table, "Headroom").contains("no limit"), table);
        assertTrue(table.contains("Mapped files"), table);
        assertFalse(table.contains("Budget:"), table);
    }

    private static String lineWith(String table, String text) {
        for (String line : table.split("\n")) {
            if (line.trim().startsWith(text.trim()) && line.contains(text)) {
                return line;
            }
        }
        throw new AssertionError("no line with '" + text + "' in\n" + table);
    }

    private static int indexOfLineStartingWith(String[] lines, String prefix) {
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
