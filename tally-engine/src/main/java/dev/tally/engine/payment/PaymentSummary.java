package dev.tally.engine.payment;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * An invoice's payment state as its ledger implies it: {@code amountPaid} is every succeeded amount,
 * {@code amountRefunded} every refunded one, {@code amountRemaining} what is to be collected less what is paid and
 * not refunded (never negative). {@code total} is what is to be collected: the invoice's amount due after credits. {@link PaymentLedger#summarize} is the only way one is made.
 */
public record PaymentSummary(PaymentStatus status, Currency currency, BigDecimal total, BigDecimal amountPaid,
        BigDecimal amountRefunded, BigDecimal amountRemaining, int facts) {
    public PaymentSummary {
        Objects.requireNonNull(status);
        Objects.requireNonNull(currency);
        Objects.requireNonNull(total);
        Objects.requireNonNull(amountPaid);
        Objects.requireNonNull(amountRefunded);
        Objects.requireNonNull(amountRemaining);
    }

    /** What is paid and kept: paid less refunded. */
    public BigDecimal netPaid() {
        return amountPaid.subtract(amountRefunded);
    }
}
