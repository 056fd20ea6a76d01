package dev.tally.engine.billing;

import java.time.Instant;

/** What one billing run did: drafts created, drafts refreshed, invoices finalized. */
public record BillingRunResult(Instant at, int created, int refreshed, int finalized) {
}
