package dev.headroom.publish.jmx;

import dev.headroom.publish.Reading;
import dev.headroom.reconcile.Part;
import dev.headroom.sense.Snapshot;

import java.util.List;
import java.util.function.Supplier;

/** Reads every attribute from the latest {@link Reading}; passes operations to {@link HeadroomOperations}. */
final class HeadroomBean implements HeadroomMXBean {

    private final Supplier<Reading> readings;
    private final HeadroomOperations operations;

    HeadroomBean(Supplier<Reading> readings, HeadroomOperations operations) {
        this.readings = readings;
        this.operations = operations;
    }

    private Snapshot snapshot() {
        Reading r = readings.get();
        return r == null ? null : r.snapshot();
    }

    @Override
    public long getLimitBytes() {
        Snapshot s = snapshot();
        return s != null && s.limited() ? s.limitBytes() : -1;
    }

    @Override
    public String getLimitSource() {
        Snapshot s = snapshot();
        return s == null || s.limitSource() == null ? "" : s.limitSource();
    }

    @Override
    public long getWorkingSetBytes() {
        Snapshot s = snapshot();
        return s == null ? -1 : s.workingSetBytes();
    }

    @Override
    public long getHeadroomBytes() {
        Snapshot s = snapshot();
        return s != null ? s.headroomBytes() : -1;
    }

    @Override
    public double getSecondsToLimit() {
        Reading r = readings.get();
        return r == null || r.forecast() == null ? Double.NaN : r.forecast().secondsToLimit();
    }

    @Override
    public String getLevel() {
        Reading r = readings.get();
        return r == null || r.level() == null ? "UNKNOWN" : r.level().name();
    }

    @Override
    public BreakdownRow[] getBreakdown() {
        Reading r = readings.get();
        if (r == null || r.breakdown() == null) {
            return new BreakdownRow[0];
        }
        List<Part> parts = r.breakdown().parts();
        BreakdownRow[] rows = new BreakdownRow[parts.size()];
        for (int i = 0; i < rows.length; i++) {
            Part p = parts.get(i);
            rows[i] = new BreakdownRow(p.id(), p.label(), p.group(), p.bytes(), p.source(),
                    p.cause() == null ? "" : p.cause());
        }
        return rows;
    }

    @Override
    public int getCgroupVersion() {
        Snapshot s = snapshot();
        return s == null || s.cgroup() == null ? -1 : s.cgroup().version();
    }

    @Override
    public int getDumpsTaken() {
        Reading r = readings.get();
        return r == null ? 0 : r.dumpsTaken();
    }

    @Override
    public long getMeasuredHeapCeilingBytes() {
        Reading r = readings.get();
        return r == null || r.budget() == null || r.budget().limitBytes() <= 0 ? -1 : r.budget().ceiling().bytes();
    }

    @Override
    public String getMeasuredBudget() {
        Reading r = readings.get();
        return r == null || r.budget() == null ? "" : r.budget().summary();
    }

    // Operations: whatever the executor does wrong, the caller gets a line, not a stack trace.

    @Override
    public String dumpHeap(boolean live) {
        try {
            return operations.dumpHeap(live);
        } catch (RuntimeException e) {
            return "failed: " + e;
        }
    }

    @Override
    public String classHistogram() {
        try {
            return operations.classHistogram();
        } catch (RuntimeException e) {
            return "failed: " + e;
        }
    }

    @Override
    public String report() {
        try {
            return operations.report();
        } catch (RuntimeException e) {
            return "failed: " + e;
        }
    }

    @Override
    public String trimNativeHeap() {
        try {
            return operations.trimNativeHeap();
        } catch (RuntimeException e) {
            return "failed: " + e;
        }
    }
}
