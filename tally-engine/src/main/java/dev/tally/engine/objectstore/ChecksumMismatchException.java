package dev.tally.engine.objectstore;

/** An object's bytes no longer match the SHA-256 recorded when it was put (corruption or tampering). */
public final class ChecksumMismatchException extends ObjectStoreException {
    private static final long serialVersionUID = 1L;

    public ChecksumMismatchException(String key) {
        super("object '" + key + "' does not match its recorded SHA-256");
    }
}
