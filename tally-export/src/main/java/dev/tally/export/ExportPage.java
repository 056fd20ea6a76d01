package dev.tally.export;

import java.util.Objects;
import java.util.Optional;

/** What one export call wrote: how many rows, and the cursor to continue from (empty when the range is done). */
public record ExportPage(long rows, Optional<String> nextCursor) {
    public ExportPage {
        Objects.requireNonNull(nextCursor);
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0");
        }
    }
}
