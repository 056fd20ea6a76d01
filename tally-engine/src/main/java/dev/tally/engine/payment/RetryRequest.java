package dev.tally.engine.payment;

import dev.tally.engine.billing.Invoice;
import java.util.Objects;

/**
 * A request to collect an invoice again: the invoice, its payment state now, and the caller's idempotency key (for
 * dunning {@code dunning:<invoice>:<step>}, stable across restarts and processes). A provider must pass the key on
 * (Stripe: inside its {@code Idempotency-Key}), so the same key never makes a second attempt.
 */
public record RetryRequest(Invoice invoice, PaymentSummary summary, String idempotencyKey) {
    public RetryRequest {
        Objects.requireNonNull(invoice);
        Objects.requireNonNull(summary);
        Objects.requireNonNull(idempotencyKey);
        if (idempotencyKey.isBlank() || idempotencyKey.length() > 200) {
            throw new IllegalArgumentException("an idempotency key is 1 to 200 characters");
        }
    }

    public String tenant() {
        return invoice.tenant();
    }

    public String invoiceId() {
        return invoice.id();
    }
}
