package dev.headroom.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.headroom.config.Options;
import dev.headroom.publish.Events;
import dev.headroom.report.Bytes;
import dev.headroom.sense.Sensor;
import dev.headroom.sense.Snapshot;

import java.io.IOException;
import java.util.Map;

/** The {@code start} event and the one stderr line that says what the agent is watching. */
final class StartEvent {

    private StartEvent() {
    }

    static void write(JsonGenerator json, Snapshot first, Sensor sensor, Options options, String how,
                      int ownClasses) throws IOException {
        json.writeStringField("agentVersion", agentVersion());
        json.writeStringField("startedBy", how);
        if (first.cgroup() != null) {
            json.writeNumberField("cgroupVersion", first.cgroup().version());
            json.writeStringField("cgroupPath", first.cgroup().cgroupPath());
        } else {
            json.writeNullField("cgroupVersion");
            json.writeNullField("cgroupPath");
        }
        json.writeStringField("watched", first.watchesProcess() ? "process" : "cgroup");
        Events.limit(json, first);
        Events.bytes(json, "hostMemoryBytes", first.hostMemoryBytes());
        json.writeNumberField("workingSetBytes", first.workingSetBytes());
        json.writeArrayFieldStart("notes");
        for (String note : sensor.locateNotes()) {
            json.writeString(note);
        }
        json.writeEndArray();
        json.writeObjectFieldStart("jvm");
        json.writeNumberField("pid", ProcessHandle.current().pid());
        // With the pid, tells `report` whether the JVM that writes this log still runs (a pid is reused).
        // The process's start as the kernel has it (java.base: the runtime may lack java.management).
        json.writeStringField("startTime",
                ProcessHandle.current().info().startInstant().map(java.time.Instant::toString).orElse(null));
        json.writeStringField("version", System.getProperty("java.runtime.version", System.getProperty("java.version")));
        json.writeStringField("vendor", System.getProperty("java.vm.vendor", ""));
        json.writeStringField("vmName", System.getProperty("java.vm.name", ""));
        Events.bytes(json, "heapMaxBytes", first.jvm().heapMax());
        json.writeBooleanField("nmt", sensor.nmtReader().enabled());
        json.writeEndObject();
        json.writeObjectFieldStart("agent");
        Events.bytes(json, "ownClasses", ownClasses);
        json.writeEndObject();
        json.writeObjectFieldStart("options");
        for (Map.Entry<String, String> e : options.effective().entrySet()) {
            json.writeStringField(e.getKey(), e.getValue());
        }
        json.writeEndObject();
    }

    static String line(Snapshot first) {
        String where = watched(first);
        String limit = first.limited()
                ? Bytes.human(first.limitBytes()) + " (" + first.limitSource() + ")"
                : "none set; using " + first.limitSource() + " " + Bytes.human(first.limitBytes());
        return "watching " + where + ": limit " + limit + ", working set " + Bytes.human(first.workingSetBytes());
    }

    /**
     * What the agent watches, in words: the cgroup when its limit is the limit, else this process's
     * own memory, and why (Snapshot.watchesProcess).
     */
    static String watched(Snapshot s) {
        if (!s.watchesProcess()) {
            return "cgroup v" + s.cgroup().version() + " " + s.cgroup().cgroupPath();
        }
        return "this process's own memory (RSS; "
                + (s.cgroup() == null ? "no memory cgroup"
                        : "cgroup v" + s.cgroup().version() + " " + s.cgroup().cgroupPath()
                                + " has no limit, so the processes beside it are not counted")
                + ")";
    }

    static String agentVersion() {
        String v = StartEvent.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
