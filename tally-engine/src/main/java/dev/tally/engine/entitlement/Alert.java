package dev.tally.engine.entitlement;

import dev.tally.core.billing.AlertRule;
import java.time.Instant;
import java.util.Objects;

/** A stored alert: its id ({@code alt_...}), its tenant, its definition and when it was created. */
public record Alert(String id, String tenant, AlertRule rule, Instant createdAt) {
    /** Checks every field is present. */
    public Alert {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
