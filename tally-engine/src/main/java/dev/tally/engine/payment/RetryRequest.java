package dev.tally.engine.payment;

import dev.tally.engine.billing.Invoice;
import java.util.Objects;

/**
 * A request to collect an invoice again: the invoice, its payment state now, which attempt this is (1 for the
 * first retry of the schedule) and the idempotency key derived from the invoice and the dunning step
 * ({@code dunning:<invoice>:<step>}), stable across restarts and processes.
 */
public record RetryRequest(Invoice invoice, PaymentSummary summary, int attempt, String idempotencyKey) {
    public RetryRequest {
        Objects.requireNonNull(invoice);
        Objects.requireNonNull(summary);
        Objects.requireNonNull(idempotencyKey);
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts count from 1");
        }
    }
}
