package dev.tally.engine.payment;

/**
 * Where payment facts come from. A provider turns what it knows (an operator's record, a provider's event) into
 * {@link NewFact}s; {@link Payments} stores them under the provider's {@link #name()}, so a reference is unique per
 * provider and tenant and a repeated one is recognised as the same fact.
 */
public interface PaymentProvider {
    /** The stable name stored with each fact ({@code manual}, later {@code stripe}). */
    String name();

    /**
     * Asks the provider to try to collect the invoice again (a dunning retry, or the retry button). The request's
     * idempotency key is the same every time the same step is retried, so a provider must pass it on (e.g. as
     * Stripe's {@code Idempotency-Key}) and a repeated call must not charge twice. The outcome of the charge itself
     * arrives later as a fact. A provider that cannot retry answers {@link RetryOutcome.Status#UNSUPPORTED}; one
     * that cannot be reached throws, and the step is tried again on the next run.
     */
    default RetryOutcome retry(RetryRequest request) {
        return new RetryOutcome(RetryOutcome.Status.UNSUPPORTED, java.util.Optional.empty(),
                "the " + name() + " provider cannot retry a collection");
    }
}
