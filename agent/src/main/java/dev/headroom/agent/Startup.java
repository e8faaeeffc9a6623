package dev.headroom.agent;

import dev.headroom.publish.Console;
import dev.headroom.publish.EventLog;
import dev.headroom.publish.Events;
import dev.headroom.reconcile.Budget;
import dev.headroom.reconcile.BudgetCheck;
import dev.headroom.reconcile.JvmBudgetInputs;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.jvm.JvmFlags;

import java.io.IOException;

/** The start-up budget check: can the heap ever be filled without an OOM kill? Said once. */
public final class Startup {

    private Startup() {
    }

    /** The budget for this JVM's flags and the snapshot's limit ({@code null} inputs give no limit). */
    public static Budget budget(Snapshot s, JvmFlags flags) {
        JvmBudgetInputs in = new JvmBudgetInputs(
                s.jvm().heapMax() > 0 ? s.jvm().heapMax() : flags.maxHeap(),
                flags.maxMetaspace(),
                flags.reservedCodeCacheSize(),
                flags.maxDirectMemory(),
                flags.threadStackSize() > 0 ? flags.threadStackSize() : s.jvm().threadStackSizeBytes(),
                s.jvm().threadCount(),
                -1,
                s.jvm().loadedClasses());
        return BudgetCheck.check(s.limited() ? s.limitBytes() : -1, in);
    }

    static Budget report(Snapshot s, JvmFlags flags, Console console, EventLog log) {
        Budget budget = budget(s, flags);
        if (!budget.fits()) {
            console.say(budget.summary());
        }
        log.write(s.epochMillis(), "budget", json -> write(json, budget));
        return budget;
    }

    static void write(com.fasterxml.jackson.core.JsonGenerator json, Budget b) throws IOException {
        json.writeBooleanField("fits", b.fits());
        Events.bytes(json, "limitBytes", b.limitBytes());
        Events.bytes(json, "maxHeapBytes", b.maxHeapBytes());
        json.writeNumberField("nonHeapBytes", b.nonHeapBytes());
        Events.bytes(json, "effectiveHeapCeilingBytes", b.effectiveHeapCeilingBytes());
        json.writeArrayFieldStart("suggestedFlags");
        for (String flag : b.suggestedFlags()) {
            json.writeString(flag);
        }
        json.writeEndArray();
        json.writeStringField("summary", b.summary());
        json.writeArrayFieldStart("parts");
        for (Budget.Item item : b.nonHeap()) {
            json.writeStartObject();
            json.writeStringField("name", item.name());
            json.writeNumberField("bytes", item.bytes());
            json.writeStringField("estimate", item.estimate());
            json.writeEndObject();
        }
        json.writeEndArray();
    }
}
