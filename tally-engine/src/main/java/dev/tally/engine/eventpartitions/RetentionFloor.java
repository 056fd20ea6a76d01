package dev.tally.engine.eventpartitions;

import java.time.Instant;

/**
 * The instant before which no event is still needed in the live database (invoiced, reconciled, outside the
 * backdating and dedup windows). The retention job never archives a month that ends after it. Implementations must
 * be monotone in practice: a floor that moves back does not bring archived months back (they are still read back).
 */
@FunctionalInterface
public interface RetentionFloor {
    Instant floor();
}
