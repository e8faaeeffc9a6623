package dev.headroom.publish.jmx;

import dev.headroom.publish.Reading;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Registers the {@code dev.headroom:type=Headroom} MXBean. Registering again (a second attach, or a
 * restart of the agent's publishers) replaces the earlier bean instead of failing, so the name
 * always shows the live agent.
 */
public final class HeadroomJmx {

    public static final String OBJECT_NAME = "dev.headroom:type=Headroom";

    private final MBeanServer server;
    private final ObjectName name;

    private HeadroomJmx(MBeanServer server, ObjectName name) {
        this.server = server;
        this.name = name;
    }

    /** In the platform MBean server. Never throws: a failure is reported and {@code null} returned. */
    public static HeadroomJmx register(Supplier<Reading> readings, HeadroomOperations operations,
                                       Consumer<String> report) {
        try {
            return register(ManagementFactory.getPlatformMBeanServer(), readings, operations, report);
        } catch (RuntimeException | Error e) {
            // The platform server itself could not start (e.g. a broken javax.management.builder).
            report.accept("JMX: no MBean registered: " + e);
            return null;
        }
    }

    public static HeadroomJmx register(MBeanServer server, Supplier<Reading> readings, HeadroomOperations operations,
                                       Consumer<String> report) {
        try {
            ObjectName name = objectName();
            DescribedMXBean bean = new DescribedMXBean(new HeadroomBean(readings, operations));
            for (int attempt = 0; ; attempt++) {
                try {
                    server.registerMBean(bean, name);
                    return new HeadroomJmx(server, name);
                } catch (InstanceAlreadyExistsException present) {
                    if (attempt > 0) {
                        throw present;
                    }
                    unregisterQuietly(server, name);
                }
            }
        } catch (Exception e) {
            report.accept("JMX: could not register " + OBJECT_NAME + ": " + e);
            return null;
        }
    }

    public static ObjectName objectName() throws MalformedObjectNameException {
        return new ObjectName(OBJECT_NAME);
    }

    public void unregister() {
        unregisterQuietly(server, name);
    }

    private static void unregisterQuietly(MBeanServer server, ObjectName name) {
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException gone) {
            // Another thread unregistered it meanwhile: what we wanted.
        } catch (Exception e) {
            // Left registered: the register attempt that follows says so.
        }
    }
}
