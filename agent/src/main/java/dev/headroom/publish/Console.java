package dev.headroom.publish;

/** The lines a person reads on stderr: few, one per thing that matters, always prefixed {@code headroom:}. */
public final class Console {

    private final boolean quiet;

    public Console(boolean quiet) {
        this.quiet = quiet;
    }

    public void say(String line) {
        if (!quiet) {
            System.err.println("headroom: " + line);
        }
    }
}
