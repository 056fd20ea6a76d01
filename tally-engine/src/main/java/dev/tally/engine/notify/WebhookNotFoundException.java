package dev.tally.engine.notify;

/** No webhook endpoint or delivery with that id in the tenant. */
public final class WebhookNotFoundException extends RuntimeException {
    public WebhookNotFoundException(String message) {
        super(message);
    }
}
