/**
 * Exports of Tally's facts: raw events (with their cancels) and usage per meter and window, as CSV, JSON Lines or
 * Apache Parquet, written row by row from cursor-paged reads of the engine (memory does not grow with the range), and
 * resumable from the cursor each page returns. {@link dev.tally.export.Exports} is the facade;
 * {@link dev.tally.export.DailyExports} writes one object per tenant, day and dataset to an
 * {@link dev.tally.engine.objectstore.ObjectStore}, atomically and idempotently. Columns are listed in docs/EXPORTS.md.
 */
package dev.tally.export;
