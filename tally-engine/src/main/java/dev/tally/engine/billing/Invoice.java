package dev.tally.engine.billing;

import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.Period;
import dev.tally.core.money.InvoiceTotals;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An invoice of one subscription at one boundary, or a one-off invoice ({@code subscriptionId} empty: the purchase of
 * credits, see {@link OneOffInvoices}). {@code period} is the
 * period whose usage it closes (for the opening invoice, the first period,
 * billed in advance). Lines are rounded once each; totals follow
 * {@link InvoiceTotals}; {@code credits} is what the credit ledger did to the total when it was finalized (pending
 * for a draft), so {@code amountDue + creditsApplied - creditToBalance == total}. A number exists exactly when it was
 * finalized; a due date (the issue day in the customer's time zone plus the payment terms in force when it was
 * finalized) exists only for finalized invoices.
 */
public record Invoice(String id, String tenant, Optional<String> number, String customer, String subscriptionId,
        Instant boundary, Period period, InvoiceStatus status, List<InvoiceLine> lines, InvoiceTotals totals,
        Instant createdAt, Instant updatedAt, Instant finalizeAfter, Optional<Instant> finalizedAt,
        Optional<Instant> paidAt, Optional<Instant> voidedAt, Optional<LocalDate> dueDate, AppliedCredits credits) {
    public Invoice {
        Objects.requireNonNull(dueDate);
        Objects.requireNonNull(id);
        Objects.requireNonNull(number);
        Objects.requireNonNull(status);
        lines = List.copyOf(lines);
        Objects.requireNonNull(totals);
        if (number.isPresent() == (status == InvoiceStatus.DRAFT)) {
            throw new IllegalArgumentException("exactly the non-draft invoices have a number");
        }
        Objects.requireNonNull(credits);
        if (!credits.amountDue().plus(credits.creditsApplied()).minus(credits.toBalance()).equals(totals.total())) {
            throw new IllegalArgumentException("amount due + credits applied - credit to balance must be the total");
        }
        if (credits.applied() == (status == InvoiceStatus.DRAFT)) {
            throw new IllegalArgumentException("credits are applied exactly to the non-draft invoices");
        }
    }

    /** What is left to pay after credits (never negative). */
    public dev.tally.core.money.Money amountDue() {
        return credits.amountDue();
    }

    public Optional<InvoiceLine> line(String lineId) {
        return lines.stream().filter(l -> l.lineId().equals(lineId)).findFirst();
    }
}
