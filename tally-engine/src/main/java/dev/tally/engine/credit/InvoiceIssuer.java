package dev.tally.engine.credit;

import dev.tally.core.money.Money;
import java.time.Instant;

/**
 * Issues the one-off invoice of a purchase of credits (billing implements it): finalized and numbered at once like
 * every invoice, in the caller's transaction, with one line of the price, no tax and no credits drawn.
 */
public interface InvoiceIssuer {

    /** The invoice issued. */
    record Issued(String invoiceId, String number) {
    }

    /** Issues the invoice of {@code price} (positive) to a customer for {@code description}, at {@code at}. */
    Issued issue(String tenant, String customer, Money price, String description, Instant at);
}
