package dev.tally.engine.usage;

/** The named meter does not exist for this tenant. */
public final class UnknownMeterException extends RuntimeException {
    public UnknownMeterException(String key) {
        super("no meter '" + key + "'");
    }
}
