package dev.headroom.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.headroom.publish.Console;
import dev.headroom.publish.EventLog;
import dev.headroom.publish.Events;
import dev.headroom.reconcile.Budget;
import dev.headroom.reconcile.BudgetCheck;
import dev.headroom.reconcile.JvmBudgetInputs;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.jvm.BufferPoolUsage;
import dev.headroom.sense.jvm.JvmFlags;
import dev.headroom.sense.jvm.JvmMemory;
import dev.headroom.sense.jvm.MemoryPoolUsage;

import java.io.IOException;

/** The start-up budget check: can the heap ever be filled without an OOM kill? Said once. */
public final class Startup {

    private Startup() {
    }

    /** The budget for this JVM's flags and the snapshot's limit ({@code null} inputs give no limit). */
    public static Budget budget(Snapshot s, JvmFlags flags) {
        JvmMemory jvm = s.jvm();
        JvmBudgetInputs in = new JvmBudgetInputs(
                maxHeap(s, flags),
                flags.maxMetaspace(),
                flags.reservedCodeCacheSize(),
                flags.maxDirectMemory(),
                flags.threadStackSize() > 0 ? flags.threadStackSize() : jvm.threadStackSizeBytes(),
                jvm.threadCount(),
                -1,
                jvm.loadedClasses(),
                metaspaceCommitted(jvm),
                codeCacheCommitted(jvm),
                directBytes(jvm));
        return BudgetCheck.check(s.limited() ? s.limitBytes() : -1, jvmSizesFromLimit(s), in);
    }

    /**
     * The heap's ceiling: the MaxHeapSize flag (what -Xmx or MaxRAMPercentage resolved to), else the
     * MemoryMXBean's max. The MXBean's is smaller by one survivor space under the serial and parallel
     * collectors (it reports what objects can use), and sizing from it would shrink the heap each time.
     */
    public static long maxHeap(Snapshot s, JvmFlags flags) {
        return flags.maxHeap() > 0 ? flags.maxHeap() : s.jvm().heapMax();
    }

    /**
     * Whether the JVM sized its heap from this snapshot's limit: only a cgroup limit is one it sees
     * (container support, JDK-8146115). The {@code limit} option is Headroom's alone; on a host without a
     * cgroup limit the JVM applies MaxRAMPercentage to host memory.
     */
    public static boolean jvmSizesFromLimit(Snapshot s) {
        return s.limited() && s.cgroup() != null && s.cgroup().hasLimit()
                && !Snapshot.LIMIT_OPTION.equals(s.limitSource());
    }

    static Budget report(Snapshot s, Budget budget, Console console, EventLog log) {
        if (!budget.fits()) {
            console.say(budget.summary());
        }
        log.write(s.epochMillis(), "budget", json -> write(json, budget));
        return budget;
    }

    static void write(JsonGenerator json, Budget b) throws IOException {
        json.writeStringField("basis", "start");
        json.writeBooleanField("fits", b.fits());
        json.writeBooleanField("fitsWorstCase", b.fitsWorstCase());
        Events.bytes(json, "limitBytes", b.limitBytes());
        json.writeBooleanField("jvmSizesFromLimit", b.jvmSizesFromLimit());
        Events.bytes(json, "maxHeapBytes", b.maxHeapBytes());
        json.writeNumberField("nonHeapBytes", b.nonHeapBytes());
        json.writeNumberField("worstCaseNonHeapBytes", b.worstCaseNonHeapBytes());
        Events.bytes(json, "effectiveHeapCeilingBytes", b.limitBytes() > 0 ? b.effectiveHeapCeilingBytes() : -1);
        Events.bytes(json, "worstCaseHeapCeilingBytes", b.limitBytes() > 0 ? b.worstCase().bytes() : -1);
        json.writeStringField("heapCeiling", b.expected().words());
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
            json.writeNumberField("worstCaseBytes", item.worstCaseBytes());
            json.writeStringField("estimate", item.estimate());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    /** The "Metaspace" pool, which already includes the compressed class space (services/memoryPool.cpp). */
    static long metaspaceCommitted(JvmMemory jvm) {
        for (MemoryPoolUsage pool : jvm.pools()) {
            if (pool != null && !pool.heap() && "Metaspace".equals(pool.name())) {
                return pool.committed();
            }
        }
        return -1;
    }

    /** The three CodeHeap pools of the segmented code cache, or the one "Code Cache". */
    static long codeCacheCommitted(JvmMemory jvm) {
        long sum = -1;
        for (MemoryPoolUsage pool : jvm.pools()) {
            if (pool != null && !pool.heap() && pool.name() != null && pool.committed() >= 0
                    && (pool.name().startsWith("CodeHeap") || pool.name().equals("Code Cache"))) {
                sum = Math.max(0, sum) + pool.committed();
            }
        }
        return sum;
    }

    static long directBytes(JvmMemory jvm) {
        for (BufferPoolUsage pool : jvm.bufferPools()) {
            if (pool != null && "direct".equals(pool.name())) {
                return pool.memoryUsedBytes();
            }
        }
        return -1;
    }
}
