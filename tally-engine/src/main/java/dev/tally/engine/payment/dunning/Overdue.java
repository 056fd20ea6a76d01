package dev.tally.engine.payment.dunning;

import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.payment.PaymentSummary;
import java.time.Instant;
import java.time.ZoneId;

/**
 * The rule of what is overdue: a {@code finalized} invoice (not {@code paid}, not {@code void}) with something to
 * collect ({@code amount_due} &gt; 0) of which something is still unpaid ({@code amount_remaining} &gt; 0), whose due
 * date has passed: the customer's today (in its time zone) is after the due date. An invoice is not overdue on its
 * due day.
 */
public final class Overdue {
    private Overdue() {
    }

    public static boolean isOverdue(Invoice invoice, PaymentSummary summary, ZoneId customerZone, Instant now) {
        return invoice.status() == InvoiceStatus.FINALIZED && summary.total().signum() > 0
                && summary.amountRemaining().signum() > 0 && invoice.dueDate().isPresent()
                && now.atZone(customerZone).toLocalDate().isAfter(invoice.dueDate().get());
    }
}
