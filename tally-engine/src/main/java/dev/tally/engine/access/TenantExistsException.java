package dev.tally.engine.access;

/** A tenant with this id exists already. */
public final class TenantExistsException extends RuntimeException {
    public TenantExistsException(String id) {
        super("tenant '" + id + "' exists");
    }
}
