package dev.headroom.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.headroom.publish.Events;
import dev.headroom.reconcile.MeasuredBudget;

import java.io.IOException;
import java.time.Instant;

/** The {@code budget} event with {@code basis: "measured"} (docs/events.md). */
final class MeasuredBudgetEvent {

    private MeasuredBudgetEvent() {
    }

    static void write(JsonGenerator json, MeasuredBudget b, boolean jvmSizesFromLimit) throws IOException {
        json.writeStringField("basis", "measured");
        json.writeBooleanField("fits", b.fits());
        Events.bytes(json, "limitBytes", b.limitBytes());
        json.writeBooleanField("jvmSizesFromLimit", jvmSizesFromLimit);
        Events.bytes(json, "maxHeapBytes", b.maxHeapBytes());
        Events.bytes(json, "heapCommittedPeakBytes", b.heapCommittedPeakBytes());
        Events.bytes(json, "heapAfterGcPeakBytes", b.heapAfterGcPeakBytes());
        Events.bytes(json, "workingSetPeakBytes", b.workingSetPeakBytes());
        json.writeNumberField("nonHeapBytes", b.nonHeapPeakBytes());
        if (b.nonHeapPeakMillis() >= 0) {
            json.writeStringField("nonHeapPeakTime", Instant.ofEpochMilli(b.nonHeapPeakMillis()).toString());
        }
        Events.bytes(json, "effectiveHeapCeilingBytes", b.ceiling().bytes());
        json.writeStringField("heapCeiling", b.ceiling().words());
        Events.bytes(json, "threadsPeak", b.threadsPeak());
        json.writeStringField("from", Instant.ofEpochMilli(b.fromMillis()).toString());
        json.writeNumberField("samples", b.samples());
        json.writeStringField("summary", b.summary());
        json.writeArrayFieldStart("parts");
        for (MeasuredBudget.PeakPart p : b.parts()) {
            json.writeStartObject();
            json.writeStringField("id", p.id());
            json.writeStringField("name", p.label());
            json.writeNumberField("bytes", p.bytes());
            json.writeStringField("peakTime", Instant.ofEpochMilli(p.peakMillis()).toString());
            json.writeEndObject();
        }
        json.writeEndArray();
    }
}
