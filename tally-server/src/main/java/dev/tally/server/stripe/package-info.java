/**
 * The {@code stripe} payment provider, on Stripe's official client (stripe-java): a tenant's API key and webhook
 * signing secret, sealed at rest in the engine's provider store; the Stripe customer created or linked for a Tally
 * customer; each finalized invoice pushed as a Stripe invoice (one invoice item per line, tax and credit, then
 * finalized), every call with an idempotency key derived from the Tally invoice, from a scheduler step with backoff
 * that billing runs and ingest never wait for; and Stripe's webhooks verified, deduplicated and turned into payment
 * facts. {@link dev.tally.server.stripe.StripeProvider} is the facade; no Stripe type leaves this package.
 */
package dev.tally.server.stripe;
