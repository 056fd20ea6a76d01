package dev.tally.engine.payment;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * An invoice's payment state as its ledger implies it: {@code amountPaid} is every succeeded amount,
 * {@code amountRefunded} every refunded one, {@code amountDue} the total less what is paid and not refunded (never
 * negative). {@link PaymentLedger#summarize} is the only way one is made.
 */
public record PaymentSummary(PaymentStatus status, Currency currency, BigDecimal total, BigDecimal amountPaid,
        BigDecimal amountRefunded, BigDecimal amountDue, int facts) {
    public PaymentSummary {
        Objects.requireNonNull(status);
        Objects.requireNonNull(currency);
        Objects.requireNonNull(total);
        Objects.requireNonNull(amountPaid);
        Objects.requireNonNull(amountRefunded);
        Objects.requireNonNull(amountDue);
    }

    /** What is paid and kept: paid less refunded. */
    public BigDecimal netPaid() {
        return amountPaid.subtract(amountRefunded);
    }
}
