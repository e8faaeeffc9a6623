package dev.headroom.publish.jmx;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.NotCompliantMBeanException;
import javax.management.StandardMBean;
import java.util.Map;

/**
 * The MXBean with descriptions: a plain MXBean's info says only "Attribute exposed for
 * management" and names parameters p0, p1; JConsole shows these texts as tooltips, and the impact
 * tells a console which operations change something.
 */
final class DescribedMXBean extends StandardMBean {

    private static final Map<String, String> ATTRIBUTES = Map.ofEntries(
            Map.entry("LimitBytes", "The container's memory limit in bytes (cgroup memory.max or "
                    + "memory.limit_in_bytes, or the limit option); -1 when none is set"),
            Map.entry("LimitSource", "Where the limit comes from"),
            Map.entry("WorkingSetBytes", "The working set in bytes as the kubelet computes it: cgroup usage minus "
                    + "inactive file pages. The OOM kill comes when it reaches the limit"),
            Map.entry("HeadroomBytes", "Limit minus unreclaimable memory (what the kernel cannot reclaim before its OOM "
                    + "killer runs), in bytes; -1 when no limit is set"),
            Map.entry("SecondsToLimit", "Forecast seconds until the working set reaches the limit; NaN when it is not "
                    + "heading there"),
            Map.entry("Level", "OK, WARNING or CRITICAL: how close the OOM kill is (UNKNOWN before the first tick)"),
            Map.entry("Breakdown", "The working set split into parts that add up to it: id, label, group, bytes, the "
                    + "counter that measured it (source) and the usual cause"),
            Map.entry("CgroupVersion", "The memory cgroup version, 1 or 2; -1 when the process is in none"),
            Map.entry("DumpsTaken", "Heap dumps the agent wrote so far"),
            Map.entry("MeasuredHeapCeilingBytes", "The largest heap the limit leaves room for with non-heap at its "
                    + "measured peak, in bytes; -1 until the service has settled (budgetWarmup) or without a limit"),
            Map.entry("MeasuredBudget", "The measured budget in words: each peak, and the heap ceiling they leave; "
                    + "empty until the service has settled"));

    private static final Map<String, String> OPERATIONS = Map.of(
            "dumpHeap", "Writes a heap dump (.hprof) into Headroom's evidence directory, if the disk has room "
                    + "for it. Pauses the application while it writes. Returns the file's path, or the reason "
                    + "no dump was written",
            "classHistogram", "Counts the objects on the heap per class (GC.class_histogram) and returns the "
                    + "table. Pauses the application briefly",
            "report", "Returns the latest reconciliation of the working set as text: which part holds how "
                    + "much, measured by which counter, and the usual cause",
            "trimNativeHeap", "Asks glibc to return free native heap to the system (System.trim_native_heap, "
                    + "JDK 17.0.9+ on glibc) and returns what it freed");

    DescribedMXBean(HeadroomMXBean bean) throws NotCompliantMBeanException {
        super(bean, HeadroomMXBean.class, true);
    }

    @Override
    protected String getDescription(MBeanInfo info) {
        return "Headroom: this JVM's container memory, what fills it, and when the OOM kill is forecast";
    }

    @Override
    protected String getDescription(MBeanAttributeInfo info) {
        return ATTRIBUTES.getOrDefault(info.getName(), info.getDescription());
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        return OPERATIONS.getOrDefault(info.getName(), info.getDescription());
    }

    @Override
    protected String getParameterName(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        return "dumpHeap".equals(op.getName()) && sequence == 0 ? "live" : param.getName();
    }

    @Override
    protected String getDescription(MBeanOperationInfo op, MBeanParameterInfo param, int sequence) {
        if ("dumpHeap".equals(op.getName()) && sequence == 0) {
            return "true: only live objects (runs a full GC first, smaller file); false: every object";
        }
        return param.getDescription();
    }

    @Override
    protected int getImpact(MBeanOperationInfo info) {
        return switch (info.getName()) {
            case "report" -> MBeanOperationInfo.INFO;
            case "classHistogram" -> MBeanOperationInfo.INFO;
            default -> MBeanOperationInfo.ACTION;
        };
    }
}
