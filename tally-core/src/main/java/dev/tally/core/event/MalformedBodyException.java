package dev.tally.core.event;

/** The request body as a whole could not be read as CloudEvents JSON (a 400, not a per-event rejection). */
public final class MalformedBodyException extends RuntimeException {
    public MalformedBodyException(String safeDetail) {
        super(safeDetail);
    }
}
