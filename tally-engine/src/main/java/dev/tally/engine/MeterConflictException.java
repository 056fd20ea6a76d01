package dev.tally.engine;

/** A meter change conflicts with what exists (the key is taken, or a version would break history). */
public final class MeterConflictException extends RuntimeException {
    public MeterConflictException(String safeDetail) {
        super(safeDetail);
    }
}
