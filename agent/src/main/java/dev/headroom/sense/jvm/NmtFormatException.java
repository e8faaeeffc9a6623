package dev.headroom.sense.jvm;

/** The text handed to {@link NmtParser} is not a {@code VM.native_memory summary} it understands. */
public final class NmtFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    public NmtFormatException(String message) {
        super(message);
    }
}
