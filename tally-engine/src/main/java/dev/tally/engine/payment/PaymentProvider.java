package dev.tally.engine.payment;

/**
 * Where payment facts come from. A provider turns what it knows (an operator's record, a provider's event) into
 * {@link NewFact}s; {@link Payments} stores them under the provider's {@link #name()}, so a reference is unique per
 * provider and tenant and a repeated one is recognised as the same fact.
 */
public interface PaymentProvider {
    /** The stable name stored with each fact ({@code manual}, later {@code stripe}). */
    String name();
}
