package dev.tally.engine.audit;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One page of audit records, oldest first, and the cursor of the next page if there may be more. */
public record AuditPage(List<AuditRecord> records, Optional<String> next) {
    public AuditPage {
        records = List.copyOf(records);
        Objects.requireNonNull(next);
    }
}
