package dev.tally.core.event;

/** A request exceeds a published limit (events per request or bytes); the message names the limit. */
public final class RequestTooLargeException extends RuntimeException {
    public RequestTooLargeException(String safeDetail) {
        super(safeDetail);
    }
}
