package dev.tally.engine.schema;

/**
 * A schema change that contradicts the stored versions (e.g. the same schema again with another effective time, or
 * a second writer that took the version number first); nothing was stored. The message is safe to show to a client.
 */
public final class SchemaConflictException extends RuntimeException {
    SchemaConflictException(String message) {
        super(message, null, false, false);
    }
}
