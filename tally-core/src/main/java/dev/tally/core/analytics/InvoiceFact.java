package dev.tally.core.analytics;

import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * A finalized (or paid) invoice as analytics sees it: its customer, currency, the month (UTC) it was finalized in,
 * its lines, subtotal (the sum of its lines), tax, total, the credits the ledger applied, the amount due after them,
 * what was collected (paid less refunded) and what is outstanding. Guarantees: the subtotal is the sum of the lines'
 * amounts and {@code total = subtotal + tax}, so every figure derived from it agrees with the invoice.
 */
public record InvoiceFact(String invoice, String customer, Currency currency, YearMonth month, List<LineFact> lines,
        BigDecimal subtotal, BigDecimal tax, BigDecimal total, BigDecimal creditsApplied, BigDecimal amountDue,
        BigDecimal collected, BigDecimal outstanding) {
    public InvoiceFact {
        Objects.requireNonNull(invoice, "invoice");
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(month, "month");
        lines = List.copyOf(lines);
        BigDecimal sum = lines.stream().map(LineFact::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        if (sum.compareTo(subtotal) != 0) {
            throw new IllegalArgumentException("subtotal " + subtotal + " is not the sum of the lines " + sum);
        }
        if (subtotal.add(tax).compareTo(total) != 0) {
            throw new IllegalArgumentException("total is not subtotal + tax");
        }
        Objects.requireNonNull(creditsApplied, "creditsApplied");
        Objects.requireNonNull(amountDue, "amountDue");
        Objects.requireNonNull(collected, "collected");
        Objects.requireNonNull(outstanding, "outstanding");
    }
}
