package dev.tally.engine.ingest;

import java.time.Instant;

/** A cancel was recorded now ({@code alreadyCancelled} false) or had been before (idempotent retry). */
public record CancelResult(String source, String id, boolean alreadyCancelled, Instant eventTime) {
}
