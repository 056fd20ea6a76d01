/**
 * What Tally keeps about remote payment providers, free of any provider's client library: the connected account of
 * a tenant (credentials sealed with the secrets key, {@link dev.tally.engine.secrets.SecretBox}, readable only
 * through {@link dev.tally.engine.providers.ProviderStore#credentials}), the provider customer linked to each Tally
 * customer, the push queue of finalized invoices (an outbox the provider's own scheduler step drains with backoff,
 * so a provider outage never reaches billing runs or ingest), the provider objects known to belong to an invoice,
 * and the provider events already applied. {@link dev.tally.engine.providers.ProviderStore} is the facade.
 */
package dev.tally.engine.providers;
