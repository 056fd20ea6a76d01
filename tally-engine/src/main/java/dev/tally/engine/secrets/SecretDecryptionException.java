package dev.tally.engine.secrets;

/** A stored secret could not be decrypted: it was sealed under another key, for another record, or altered. */
public final class SecretDecryptionException extends RuntimeException {
    public SecretDecryptionException(String message) {
        super(message);
    }
}
