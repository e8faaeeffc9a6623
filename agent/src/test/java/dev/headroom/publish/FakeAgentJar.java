package dev.headroom.publish;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Writes the jar for {@link FakeAgent}: a manifest whose Class-Path names the agent's compiled
 * classes, these test classes and Byte Buddy (the JVM adds an agent jar's Class-Path to the system
 * class path, as it does for any jar there). Nothing else: the application brings its own Micrometer.
 * Run on the test class path: {@code FakeAgentJar /tmp/fake-agent.jar}.
 */
public final class FakeAgentJar {

    private FakeAgentJar() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        StringBuilder classPath = new StringBuilder();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            // Only our classes and Byte Buddy: anything else on the system class path (Jackson...)
            // would shadow the application's own copy in a parent-first loader.
            if (!Files.isDirectory(Path.of(entry)) && !entry.contains("byte-buddy")) {
                continue;
            }
            classPath.append(Path.of(entry).toAbsolutePath().toUri()).append(' ');
        }
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Premain-Class", FakeAgent.class.getName());
        main.putValue("Can-Retransform-Classes", "true");
        main.putValue("Class-Path", classPath.toString().trim());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // The manifest is the whole jar.
        }
        System.out.println("wrote " + jar + " with Class-Path " + classPath);
    }
}
