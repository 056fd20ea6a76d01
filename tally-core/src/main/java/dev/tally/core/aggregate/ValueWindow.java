package dev.tally.core.aggregate;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The window a state's value is asked for. Only the time-weighted sum uses it:
 * the gauge holds {@code carryIn} (the last reading before {@code from}, if
 * any) from {@code from}, each reading from its instant, and the last one
 * until {@code end} (the window's end, or "now" for an open window).
 */
public record ValueWindow(Instant from, Instant end, Optional<Reading> carryIn, TimeUnitOfMeasure unit) {
    public ValueWindow {
        Objects.requireNonNull(from);
        Objects.requireNonNull(end);
        Objects.requireNonNull(carryIn);
        Objects.requireNonNull(unit);
    }
}
