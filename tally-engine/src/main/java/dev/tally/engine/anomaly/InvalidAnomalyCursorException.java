package dev.tally.engine.anomaly;

/** A cursor that this listing did not hand out. */
public final class InvalidAnomalyCursorException extends RuntimeException {
    public InvalidAnomalyCursorException() {
        super("not a cursor of this listing");
    }
}
