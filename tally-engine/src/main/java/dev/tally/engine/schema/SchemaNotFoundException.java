package dev.tally.engine.schema;

/** The event type has no schema version (or not the one asked for); the message is safe to show to a client. */
public final class SchemaNotFoundException extends RuntimeException {
    SchemaNotFoundException(String message) {
        super(message, null, false, false);
    }
}
