package dev.tally.engine.eventpartitions;

import java.time.Instant;
import java.util.Objects;

/**
 * One row of {@code archived_event_partitions}: a month that left {@code events}. {@code detached}: the table
 * {@code partitionName} still holds its rows (outside {@code events}); {@code archived}: the object {@code objectKey}
 * holds them, with this SHA-256, row count and seq range.
 */
record CatalogEntry(String partitionName, Instant from, Instant to, boolean archived, String objectKey,
        String sha256, long rows, long minSeq, long maxSeq) {
    CatalogEntry {
        Objects.requireNonNull(partitionName);
        Objects.requireNonNull(objectKey);
        Objects.requireNonNull(sha256); // "" until archived
    }
}
