package dev.headroom.it;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the integration tests need from the machine (root, a writable memory cgroup, the right to
 * mount, Prometheus, Chromium). A missing one fails the test with a line naming it and how to get
 * it, so that {@code mvn -B verify} on a machine without it never passes with a quietly smaller set
 * of tests. Skipping is a choice made out loud: {@code -Dit.allowMissing=true}.
 */
final class Prerequisites {

    /** The property that turns a missing prerequisite into a skipped test instead of a failed one. */
    static final String ALLOW_MISSING = "it.allowMissing";

    private Prerequisites() {
    }

    /**
     * @param present whether the machine has it
     * @param what    what is missing, e.g. "Chromium"
     * @param remedy  how to get it, e.g. "apt-get install chromium (bash .ci/run installs it)"
     */
    static void require(boolean present, String what, String remedy) {
        if (present) {
            return;
        }
        String message = "this test needs " + what + ": " + remedy;
        if (Boolean.getBoolean(ALLOW_MISSING)) {
            assumeTrue(false, message + " (skipped: -D" + ALLOW_MISSING + "=true)");
        }
        fail(message + "; or run with -D" + ALLOW_MISSING + "=true to skip the tests that need it");
    }
}
