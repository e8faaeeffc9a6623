package dev.headroom.config;

/** A malformed option: the message is the one line a person sees before the agent stays off. */
public final class OptionException extends Exception {
    public OptionException(String message) {
        super(message);
    }
}
