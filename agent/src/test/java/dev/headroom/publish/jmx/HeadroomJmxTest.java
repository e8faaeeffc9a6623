package dev.headroom.publish.jmx;

import dev.headroom.publish.ChildJvm;
import org.junit.jupiter.api.Test;

import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MXBean read and invoked over a real RMI connector from this JVM, as JConsole would. */
class HeadroomJmxTest {

    @Test
    void anotherJvmReadsTheAttributesAndInvokesTheOperationsOverRmi() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> command = List.of(ChildJvm.java(), "-Xmx64m",
                "-Dcom.sun.management.jmxremote.port=" + port,
                "-Dcom.sun.management.jmxremote.rmi.port=" + port,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1",
                "-Djava.rmi.server.hostname=127.0.0.1",
                "-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false",
                "-cp", System.getProperty("java.class.path"), JmxChild.class.getName());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            List<String> said = new ArrayList<>();
            for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
                said.add(line);
            }
            assertEquals(List.of("registered true true"), said, "registering twice neither throws nor reports");

            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
            try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
                MBeanServerConnection server = connector.getMBeanServerConnection();
                ObjectName name = new ObjectName("dev.headroom:type=Headroom");

                assertEquals(536870912L, server.getAttribute(name, "LimitBytes"));
                assertEquals(335544320L, server.getAttribute(name, "WorkingSetBytes"));
                // Limit less the unreclaimable memory (298 MiB), not less the working set.
                assertEquals(536870912L - 312475648L, server.getAttribute(name, "HeadroomBytes"));
                assertEquals(900.0, server.getAttribute(name, "SecondsToLimit"));
                assertEquals("WARNING", server.getAttribute(name, "Level"));
                assertEquals(1, server.getAttribute(name, "CgroupVersion"));
                assertEquals("memory.limit_in_bytes", server.getAttribute(name, "LimitSource"));
                assertEquals(1, server.getAttribute(name, "DumpsTaken"));

                // Open types only: rows are CompositeData, readable without Headroom's classes.
                CompositeData[] rows = (CompositeData[]) server.getAttribute(name, "Breakdown");
                Map<String, Long> bytes = new HashMap<>();
                for (CompositeData row : rows) {
                    bytes.put((String) row.get("id"), (Long) row.get("bytes"));
                }
                assertEquals(Map.of("heap", 209715200L, "metaspace", 62914560L, "nativeUntracked", 41943040L,
                        "activePageCache", 20971520L), bytes);
                CompositeData heap = rows[0];
                assertEquals("Java heap (committed)", heap.get("label"));
                assertEquals("jvm", heap.get("group"));
                assertEquals("MemoryMXBean", heap.get("source"));
                assertEquals("Objects the application holds", heap.get("cause"));

                assertEquals("Working set 320 MiB of 512 MiB\n  Java heap (committed)  200 MiB",
                        server.invoke(name, "report", new Object[0], new String[0]));
                assertEquals("/evidence/heap-live.hprof",
                        server.invoke(name, "dumpHeap", new Object[] {true}, new String[] {"boolean"}));
                assertEquals("/evidence/heap-all.hprof",
                        server.invoke(name, "dumpHeap", new Object[] {false}, new String[] {"boolean"}));
                assertTrue(((String) server.invoke(name, "classHistogram", new Object[0], new String[0]))
                        .contains("#instances"));
                assertEquals("failed: java.lang.IllegalStateException: not on this libc",
                        server.invoke(name, "trimNativeHeap", new Object[0], new String[0]));

                MBeanInfo info = server.getMBeanInfo(name);
                Map<String, MBeanOperationInfo> ops = new HashMap<>();
                for (MBeanOperationInfo op : info.getOperations()) {
                    ops.put(op.getName(), op);
                }
                assertEquals(4, ops.size(), ops.keySet().toString());
                MBeanOperationInfo dump = ops.get("dumpHeap");
                assertTrue(dump.getDescription().startsWith("Writes a heap dump"), dump.getDescription());
                assertEquals("live", dump.getSignature()[0].getName());
                assertEquals(MBeanOperationInfo.ACTION, dump.getImpact());
                assertEquals(MBeanOperationInfo.INFO, ops.get("report").getImpact());
                for (MBeanOperationInfo op : ops.values()) {
                    assertTrue(op.getDescription().length() > 40, op.getName() + ": " + op.getDescription());
                }
                assertEquals("true", String.valueOf(info.getDescriptor().getFieldValue("mxbean")), "an MXBean");
            }
        } finally {
            child.getOutputStream().close();
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        }
        assertEquals(0, child.exitValue(), "the child ended when its stdin closed");
    }
}
