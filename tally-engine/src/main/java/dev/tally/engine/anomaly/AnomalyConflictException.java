package dev.tally.engine.anomaly;

/** A review that contradicts the one already made (dismissing an acknowledged anomaly, or the reverse). */
public final class AnomalyConflictException extends RuntimeException {
    public AnomalyConflictException(String message) {
        super(message);
    }
}
