package dev.tally.core.event;

/** An event failed a rule; carries the machine-readable reason. */
public final class InvalidEventException extends RuntimeException {
    private final RejectionReason reason;

    public InvalidEventException(RejectionReason reason) {
        super(reason.description(), null, false, false);
        this.reason = reason;
    }

    public InvalidEventException(RejectionReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public RejectionReason reason() {
        return reason;
    }
}
