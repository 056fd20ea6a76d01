package dev.tally.engine.ingest;

/**
 * The durable store could not take a write; nothing of the affected requests
 * was acknowledged, so clients may retry (a 503 with Retry-After).
 */
public final class StorageUnavailableException extends RuntimeException {
    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
