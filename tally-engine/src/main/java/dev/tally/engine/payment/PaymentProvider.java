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

    /**
     * Whether this provider collects the invoice itself (e.g. it was pushed to it and it charges the card on file);
     * false unless it says otherwise. {@link Payments#retry} asks the first registered provider that does.
     */
    default boolean collects(String tenant, String invoiceId) {
        return false;
    }

    /**
     * Asks the provider to collect the invoice again now (a dunning retry, or the retry button). The request's
     * idempotency key is the same every time the same attempt is made, so the provider must pass it on (Stripe:
     * inside its {@code Idempotency-Key}) and a repeated call must not charge twice. Never throws for a declined
     * payment or an unreachable provider: the outcome says so ({@link RetryOutcome.Kind#DECLINED},
     * {@link RetryOutcome.Kind#UNAVAILABLE}). A provider that does not collect answers
     * {@link RetryOutcome.Kind#NOT_COLLECTED}.
     */
    default RetryOutcome retry(RetryRequest request) {
        return RetryOutcome.notCollected(name());
    }
}
