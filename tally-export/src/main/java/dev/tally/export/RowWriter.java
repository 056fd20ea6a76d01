package dev.tally.export;

import java.io.IOException;

/**
 * Writes rows of one dataset in one format to a stream, one at a time. Values by column type: STRING and JSON a
 * String, TIMESTAMP an Instant, DECIMAL a BigDecimal, INT64 a Long, BOOLEAN a Boolean; null only in nullable columns.
 */
interface RowWriter extends AutoCloseable {
    void write(Object[] row) throws IOException;

    /** Completes the file (Parquet footer, buffered text) without closing the underlying stream. */
    void finish() throws IOException;

    @Override
    default void close() throws IOException {
    }
}
