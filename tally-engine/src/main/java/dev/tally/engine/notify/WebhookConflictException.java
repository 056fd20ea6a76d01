package dev.tally.engine.notify;

/** A webhook operation that the current state does not allow (e.g. retrying a delivery of a disabled endpoint). */
public final class WebhookConflictException extends RuntimeException {
    public WebhookConflictException(String message) {
        super(message);
    }
}
