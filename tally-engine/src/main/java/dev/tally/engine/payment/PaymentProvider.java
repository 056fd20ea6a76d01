package dev.tally.engine.payment;

/**
 * Where payment facts come from. A provider turns what it knows (an operator's record, a provider's event) into
 * {@link NewFact}s; {@link Payments} stores them under the provider's {@link #name()}, so a reference is unique per
 * provider and tenant and a repeated one is recognised as the same fact.
 *
 * <p>A provider that collects invoices itself (e.g. {@code stripe}, which charges the card on file) says so with
 * {@link #collects} and can be asked to try again with {@link #retry}; the outcome of a retry reaches the ledger as
 * facts (for Stripe, through its webhooks). The {@code manual} provider collects nothing: it only records.
 */
public interface PaymentProvider {
    /** The stable name stored with each fact ({@code manual}, {@code stripe}). */
    String name();

    /** Whether this provider collects the invoice (e.g. it was pushed to it); false unless it says otherwise. */
    default boolean collects(String tenant, String invoiceId) {
        return false;
    }

    /**
     * Asks the provider to collect the invoice again now (e.g. pay the Stripe invoice once more with the customer's
     * default payment method). {@code attemptKey} names the attempt (e.g. the dunning step, {@code "retry-2"}): the
     * same key never makes a second attempt, so a crashed or repeated caller cannot charge twice. Never throws for a
     * declined payment or an unreachable provider: the outcome says so.
     */
    default RetryOutcome retry(String tenant, String invoiceId, String attemptKey) {
        return RetryOutcome.notCollected(name());
    }
}
