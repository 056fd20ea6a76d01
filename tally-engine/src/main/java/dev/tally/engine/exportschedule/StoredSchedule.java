package dev.tally.engine.exportschedule;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/** A tenant's stored export schedule: its JSON (no secrets), whether a secret is stored, the last day exported. */
public record StoredSchedule(String tenant, JsonNode config, boolean hasSecret, Optional<LocalDate> lastDay) {
    public StoredSchedule {
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(config);
        Objects.requireNonNull(lastDay);
    }
}
