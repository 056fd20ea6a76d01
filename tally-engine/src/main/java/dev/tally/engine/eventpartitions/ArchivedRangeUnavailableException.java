package dev.tally.engine.eventpartitions;

/**
 * A read needed events of an archived month that this process cannot fetch (no object store configured, or the
 * object is missing or damaged). The message names the month and the object key, never a credential.
 */
public final class ArchivedRangeUnavailableException extends RuntimeException {
    public ArchivedRangeUnavailableException(String message) {
        super(message);
    }

    public ArchivedRangeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
