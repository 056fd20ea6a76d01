package dev.tally.engine.store;

/** The metadata store failed (I/O or SQL); the message is for logs, never for clients. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
