package dev.tally.engine.payment;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A fact a provider wants recorded against an invoice: kind, positive amount, the provider's reference (its
 * idempotency key), a reason, and when it happened (empty: when it is recorded). An absent currency means the invoice's.
 */
public record NewFact(FactKind kind, BigDecimal amount, Optional<String> currency, String reference, String reason,
        Optional<Instant> occurredAt) {
    public NewFact {
        Objects.requireNonNull(kind);
        Objects.requireNonNull(amount);
        Objects.requireNonNull(currency);
        Objects.requireNonNull(reference);
        Objects.requireNonNull(reason);
        Objects.requireNonNull(occurredAt);
    }
}
