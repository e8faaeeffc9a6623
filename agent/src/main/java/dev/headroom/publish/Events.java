package dev.headroom.publish;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.headroom.reconcile.Breakdown;
import dev.headroom.reconcile.Part;
import dev.headroom.sense.Snapshot;
import dev.headroom.sense.cgroup.CgroupMemory;
import dev.headroom.sense.cgroup.MemoryEvents;
import dev.headroom.sense.cgroup.MemoryStat;
import dev.headroom.sense.cgroup.Pressure;
import dev.headroom.sense.jvm.BufferPoolUsage;
import dev.headroom.sense.jvm.JvmMemory;
import dev.headroom.sense.process.ProcessMemory;

import java.io.IOException;

/**
 * The fields of the events that carry memory state, written the same way wherever they appear
 * (the {@code snapshot} event, and later the warnings and the flight file). docs/events.md is the
 * reference; field names are lowerCamelCase and sizes are bytes, with {@code null} for unknown.
 */
public final class Events {

    private Events() {
    }

    /** A size or count, {@code null} when negative (the records' "unknown"). */
    public static void bytes(JsonGenerator json, String name, long value) throws IOException {
        if (value < 0) {
            json.writeNullField(name);
        } else {
            json.writeNumberField(name, value);
        }
    }

    /** The limit as events report it: {@code null} when no limit is set (host memory is no limit). */
    public static void limit(JsonGenerator json, Snapshot s) throws IOException {
        bytes(json, "limitBytes", s.limited() ? s.limitBytes() : -1);
        json.writeStringField("limitSource", s.limitSource());
    }

    /** The top-level numbers and the breakdown: what every state-carrying event has. */
    public static void state(JsonGenerator json, Snapshot s, Breakdown b) throws IOException {
        json.writeNumberField("workingSetBytes", s.workingSetBytes());
        bytes(json, "unreclaimableBytes", s.unreclaimableBytes());
        limit(json, s);
        bytes(json, "headroomBytes", s.headroomBytes());
        json.writeArrayFieldStart("breakdown");
        for (Part p : b.parts()) {
            json.writeStartObject();
            json.writeStringField("id", p.id());
            json.writeStringField("label", p.label());
            json.writeStringField("group", p.group());
            json.writeNumberField("bytes", p.bytes());
            json.writeStringField("source", p.source());
            if (p.cause() != null && !p.cause().isEmpty()) {
                json.writeStringField("cause", p.cause());
            }
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    /** The full {@code snapshot} event body: state plus the raw readings behind it. */
    public static void snapshot(JsonGenerator json, Snapshot s, Breakdown b) throws IOException {
        state(json, s, b);
        if (s.cgroup() != null) {
            cgroup(json, s.cgroup());
        } else {
            json.writeNullField("cgroup");
        }
        process(json, s.process());
        jvm(json, s.jvm());
    }

    /** The forecast and the level, as {@code snapshot} events carry them. */
    public static void forecast(JsonGenerator json, dev.headroom.forecast.Forecast f, dev.headroom.act.Level level)
            throws IOException {
        json.writeObjectFieldStart("forecast");
        if (f.hasEstimate()) {
            json.writeNumberField("secondsToLimit", Math.round(f.secondsToLimit() * 1000) / 1000.0);
        } else {
            json.writeNullField("secondsToLimit");
        }
        json.writeNumberField("confidence", Math.round(f.confidence() * 1000) / 1000.0);
        json.writeNumberField("growthBytesPerSecond", Math.round(f.growthBytesPerSecond()));
        bytes(json, "heapCeilingBytes", f.heapCeilingBytes());
        if (Double.isFinite(f.basisSeconds())) {
            json.writeNumberField("basisSeconds", Math.round(f.basisSeconds()));
        }
        bytes(json, "ceilingsBytes", f.ceilingsBytes());
        json.writeBooleanField("thrashing", f.thrashing().active());
        json.writeEndObject();
        json.writeStringField("level", level.name());
    }

    /**
     * How the agent's ticks went so far: those that only looked at the cgroup's usage and those that
     * read everything ({@code dev.headroom.act.SamplingCadence}).
     */
    public static void ticks(JsonGenerator json, long quick, long full) throws IOException {
        json.writeObjectFieldStart("ticks");
        json.writeNumberField("quick", quick);
        json.writeNumberField("full", full);
        json.writeEndObject();
    }

    static void cgroup(JsonGenerator json, CgroupMemory c) throws IOException {
        json.writeObjectFieldStart("cgroup");
        json.writeNumberField("version", c.version());
        json.writeStringField("path", c.cgroupPath());
        bytes(json, "usageBytes", c.usageBytes());
        bytes(json, "highBytes", c.highBytes());
        bytes(json, "swapBytes", c.swapBytes());
        MemoryStat m = c.stat();
        bytes(json, "anonBytes", m.anon());
        bytes(json, "fileBytes", m.file());
        bytes(json, "activeFileBytes", m.activeFile());
        bytes(json, "inactiveFileBytes", m.inactiveFile());
        bytes(json, "shmemBytes", m.shmem());
        bytes(json, "kernelBytes", m.kernel());
        bytes(json, "dirtyBytes", m.dirty());
        bytes(json, "writebackBytes", m.writeback());
        bytes(json, "processCount", c.processCount());
        MemoryEvents e = c.events();
        json.writeObjectFieldStart("events");
        bytes(json, "high", e.high());
        bytes(json, "max", e.max());
        bytes(json, "oom", e.oom());
        bytes(json, "oomKill", e.oomKill());
        bytes(json, "failcnt", e.failcnt());
        json.writeBooleanField("underOom", e.underOom());
        json.writeEndObject();
        Pressure p = c.pressure();
        if (p == null) {
            json.writeNullField("pressure");
        } else {
            json.writeObjectFieldStart("pressure");
            json.writeNumberField("someAvg10", p.someAvg10());
            json.writeNumberField("fullAvg10", p.fullAvg10());
            json.writeNumberField("someTotalMicros", p.someTotalMicros());
            json.writeNumberField("fullTotalMicros", p.fullTotalMicros());
            json.writeStringField("source", p.source());
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    static void process(JsonGenerator json, ProcessMemory p) throws IOException {
        json.writeObjectFieldStart("process");
        bytes(json, "rssBytes", p.rssBytes());
        bytes(json, "rssAnonBytes", p.rssAnon());
        bytes(json, "rssFileBytes", p.rssFile());
        bytes(json, "rssShmemBytes", p.rssShmem());
        bytes(json, "swapBytes", p.swapBytes());
        bytes(json, "threads", p.threads());
        json.writeEndObject();
    }

    static void jvm(JsonGenerator json, JvmMemory j) throws IOException {
        json.writeObjectFieldStart("jvm");
        bytes(json, "heapUsedBytes", j.heapUsed());
        bytes(json, "heapCommittedBytes", j.heapCommitted());
        bytes(json, "heapMaxBytes", j.heapMax());
        // The live data (heap pools' use after the last collection), for the measured budget.
        bytes(json, "heapAfterGcBytes", dev.headroom.reconcile.SizingPeaks.heapAfterGc(j));
        bytes(json, "threads", j.threadCount());
        bytes(json, "loadedClasses", j.loadedClasses());
        // The start-up's pace (the policy's WarmUp): classes loaded and JIT time, both since the JVM
        // started, and of those classes the ones loaded while the agent's own ticks ran.
        bytes(json, "classesLoadedTotal", j.classesLoadedTotal());
        bytes(json, "compilationMillis", j.compilationMillis());
        bytes(json, "agentClassLoads", j.agentClassLoads());
        bytes(json, "gcCount", j.gcCount());
        bytes(json, "gcTimeMillis", j.gcTimeMillis());
        for (BufferPoolUsage pool : j.bufferPools()) {
            if ("direct".equals(pool.name())) {
                bytes(json, "directBytes", pool.memoryUsedBytes());
            } else if ("mapped".equals(pool.name())) {
                bytes(json, "mappedBytes", pool.memoryUsedBytes());
            }
        }
        if (j.nmt() != null) {
            bytes(json, "nmtCommittedBytes", j.nmt().totalCommittedBytes());
        }
        if (j.agent().epochMillis() >= 0) {
            // The watcher counts itself (measured every minute).
            bytes(json, "agentHeapBytes", j.agent().heapBytes());
            bytes(json, "agentClasses", j.agent().ownClasses());
        }
        json.writeEndObject();
    }
}
