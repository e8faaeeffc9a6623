package dev.headroom.publish.micrometer;

import java.util.function.DoubleSupplier;

/**
 * One meter as the agent describes it, in JDK types only, so it can be handed to the binder in
 * the application's class loader.
 *
 * @param kind     {@code gauge} or {@code counter} (a function counter: monotonic)
 * @param baseUnit Micrometer's base unit ({@code bytes}, {@code seconds}), or {@code null}
 * @param tags     key, value, key, value...
 * @param value    read at every scrape; {@code NaN} when unknown
 */
record MeterSpec(String kind, String name, String description, String baseUnit, String[] tags,
                 DoubleSupplier value) {

    static MeterSpec gauge(String name, String baseUnit, String description, DoubleSupplier value,
                           String... tags) {
        return new MeterSpec("gauge", name, description, baseUnit, tags, value);
    }

    static MeterSpec counter(String name, String description, DoubleSupplier value, String... tags) {
        return new MeterSpec("counter", name, description, null, tags, value);
    }

    Object[] toArray() {
        return new Object[] {kind, name, description, baseUnit, tags.clone(), value};
    }

    /** Name and tags, for messages. */
    String id() {
        StringBuilder s = new StringBuilder(name);
        for (int i = 0; i + 1 < tags.length; i += 2) {
            s.append(i == 0 ? '{' : ',').append(tags[i]).append('=').append(tags[i + 1]);
        }
        return tags.length > 1 ? s.append('}').toString() : s.toString();
    }
}
