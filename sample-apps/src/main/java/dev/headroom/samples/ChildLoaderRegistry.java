package dev.headroom.samples;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An application that keeps Micrometer in a class loader of its own (a plugin host, a web
 * container) and whose very first act is to build a registry there and give it a common tag,
 * without ever adding it to {@code Metrics.globalRegistry}. Its own class path has no Micrometer:
 * the jars come as the argument. Every half second it prints each {@code headroom.*} meter it holds
 * as {@code meter NAME{TAGS} VALUE}. Arguments: {@code micrometer-jars (path-separated) [seconds, default 20]}.
 */
public final class ChildLoaderRegistry {

    private ChildLoaderRegistry() {
    }

    public static void main(String[] args) throws Exception {
        URLClassLoader micrometer = new URLClassLoader("micrometer", urls(args[0]), ClassLoader.getPlatformClassLoader());
        Object registry = micrometer.loadClass("io.micrometer.core.instrument.simple.SimpleMeterRegistry")
                .getConstructor().newInstance();
        Object config = registry.getClass().getMethod("config").invoke(registry);
        config.getClass().getMethod("commonTags", String[].class).invoke(config, (Object) new String[] {"service", "child-loader"});
        System.out.println("child-loader-registry ready: " + registry.getClass().getName() + " in "
                + registry.getClass().getClassLoader().getName());
        long seconds = (long) Rate.arg(args, 1, 20);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            Thread.sleep(500);
            for (String line : headroomMeters(registry)) {
                System.out.println(line);
            }
        }
        System.out.println("child-loader-registry done");
    }

    private static URL[] urls(String jars) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String jar : jars.split(File.pathSeparator)) {
            urls.add(Path.of(jar).toUri().toURL());
        }
        return urls.toArray(new URL[0]);
    }

    private static List<String> headroomMeters(Object registry) throws Exception {
        List<String> lines = new ArrayList<>();
        for (Object meter : (List<?>) registry.getClass().getMethod("getMeters").invoke(registry)) {
            Object id = meter.getClass().getMethod("getId").invoke(meter);
            String name = (String) id.getClass().getMethod("getName").invoke(id);
            if (!name.startsWith("headroom.")) {
                continue;
            }
            StringBuilder tags = new StringBuilder();
            for (Object tag : (List<?>) id.getClass().getMethod("getTags").invoke(id)) {
                Method key = tag.getClass().getMethod("getKey");
                Method value = tag.getClass().getMethod("getValue");
                tags.append(tags.length() > 0 ? "," : "").append(key.invoke(tag)).append('=').append(value.invoke(tag));
            }
            Object first = ((Iterable<?>) meter.getClass().getMethod("measure").invoke(meter)).iterator().next();
            double v = (double) first.getClass().getMethod("getValue").invoke(first);
            lines.add("meter " + name + "{" + tags + "} " + (v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v)));
        }
        return lines;
    }
}
