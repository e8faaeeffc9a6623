package dev.headroom.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * An agent that does nothing: the price any {@code -javaagent} pays on this JDK (the JVM resolves
 * the java.instrument module, which turns off the CDS archive's ready-made module graph, and loads
 * the agent's jar), measured beside Headroom's so the two can be told apart.
 */
public final class EmptyAgent {

    private EmptyAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        // nothing
    }

    /** Writes a jar holding only this class, with it as Premain-Class. */
    static Path jar(Path dir) throws IOException {
        return agentJar(dir.resolve("empty-agent.jar"), EmptyAgent.class);
    }

    /** Writes a jar holding only the agent class, with it as Premain-Class (lambdas compile into the class itself). */
    static Path agentJar(Path jar, Class<?> agent) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().putValue("Premain-Class", agent.getName());
        String entry = agent.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m);
             InputStream in = agent.getClassLoader().getResourceAsStream(entry)) {
            j.putNextEntry(new JarEntry(entry));
            in.transferTo(j);
            j.closeEntry();
        }
        return jar;
    }
}
