package dev.tally.engine.billing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One version of a customer: its number (1 at creation), the kind of change ({@code created}, {@code updated},
 * {@code archived}), the fields it changed, the customer's JSON form after it (with a {@code pending_timezone} or
 * {@code archived_at} where they apply) and when it was made.
 */
public record CustomerVersion(int version, String change, List<String> fields, JsonNode customer, Instant changedAt) {
    public CustomerVersion {
        Objects.requireNonNull(change, "change");
        fields = List.copyOf(fields);
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(changedAt, "changedAt");
    }
}
