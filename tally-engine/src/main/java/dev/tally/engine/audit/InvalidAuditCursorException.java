package dev.tally.engine.audit;

/** A cursor that this audit log did not hand out. */
public final class InvalidAuditCursorException extends RuntimeException {
    public InvalidAuditCursorException() {
        super("the cursor is not valid");
    }
}
