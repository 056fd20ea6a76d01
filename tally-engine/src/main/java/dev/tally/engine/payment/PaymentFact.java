package dev.tally.engine.payment;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.Objects;

/**
 * One immutable entry of an invoice's payment ledger. {@code provider} and {@code reference} identify it (a
 * retried record with the same pair is the same fact); {@code occurredAt} is when it happened at the provider,
 * {@code recordedAt} when Tally stored it. The amount is positive, in the invoice's currency, with no more decimals
 * than the currency has.
 */
public record PaymentFact(String id, String tenant, String invoiceId, FactKind kind, BigDecimal amount,
        Currency currency, String provider, String reference, String reason, Instant occurredAt, Instant recordedAt) {
    public PaymentFact {
        Objects.requireNonNull(id);
        Objects.requireNonNull(tenant);
        Objects.requireNonNull(invoiceId);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(currency);
        Objects.requireNonNull(provider);
        Objects.requireNonNull(reference);
        Objects.requireNonNull(reason);
        Objects.requireNonNull(occurredAt);
        Objects.requireNonNull(recordedAt);
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("a payment fact's amount is positive");
        }
    }

    /** The same fact content (kind, amount, currency, invoice): what makes a retried record a replay, not a conflict. */
    boolean sameAs(PaymentFact other) {
        return invoiceId.equals(other.invoiceId) && kind == other.kind && amount.compareTo(other.amount) == 0
                && currency.equals(other.currency);
    }
}
