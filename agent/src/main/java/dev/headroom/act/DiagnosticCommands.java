package dev.headroom.act;

import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/**
 * The JVM's diagnostic commands (what {@code jcmd} runs), reached in-process through the
 * {@code com.sun.management:type=DiagnosticCommand} MBean: each command is an operation named in
 * camel case ({@code GC.class_histogram} is {@code gcClassHistogram}) taking one {@code String[]}
 * of arguments and returning the text jcmd would print.
 */
public interface DiagnosticCommands {

    /** Whether this JVM offers the operation. */
    boolean has(String operation);

    /** Runs it; the text output. */
    String run(String operation, String... arguments) throws Exception;

    /** The running JVM's commands; {@code null} operations when the MBean is missing. */
    static DiagnosticCommands platform() {
        return Platform.INSTANCE;
    }

    final class Platform implements DiagnosticCommands {
        static final Platform INSTANCE = new Platform();
        private static final String[] SIGNATURE = {String[].class.getName()};

        private Platform() {
        }

        @Override
        public boolean has(String operation) {
            try {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                for (MBeanOperationInfo op : server.getMBeanInfo(name()).getOperations()) {
                    if (op.getName().equals(operation)) {
                        return true;
                    }
                }
            } catch (Exception | LinkageError e) {
                // No DiagnosticCommand MBean (not HotSpot, or management stripped): nothing offered.
            }
            return false;
        }

        @Override
        public String run(String operation, String... arguments) throws Exception {
            Object out;
            try {
                out = ManagementFactory.getPlatformMBeanServer()
                        .invoke(name(), operation, new Object[] {arguments}, SIGNATURE);
            } catch (LinkageError e) {
                // A runtime without java.management (jlink, --limit-modules): callers handle an
                // Exception, and an Error escaping here once ended the agent's thread.
                throw new IllegalStateException("this runtime has no java.management module: " + e, e);
            }
            return out == null ? "" : out.toString();
        }

        private static ObjectName name() throws Exception {
            return new ObjectName("com.sun.management:type=DiagnosticCommand");
        }
    }
}
