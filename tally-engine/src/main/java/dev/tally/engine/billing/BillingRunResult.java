package dev.tally.engine.billing;

import java.time.Instant;

/**
 * What one billing run did, each invoice counted once per question.
 *
 * @param at        the instant the run billed up to
 * @param created   invoices this run created for a period boundary (whatever their status after the run)
 * @param rerated   drafts that existed before this run and were recomputed with the latest usage
 * @param finalized invoices this run finalized (including drafts it created whose grace period was already over)
 * @param inGrace   drafts still open after the run, waiting for their grace period to end
 * @param refreshed every draft recomputed, including those created by this run; the older, ambiguous count,
 *                  kept for clients of the {@code refreshed} field
 */
public record BillingRunResult(Instant at, int created, int rerated, int finalized, int inGrace, int refreshed) {
    public BillingRunResult {
        if (created < 0 || rerated < 0 || finalized < 0 || inGrace < 0 || refreshed < 0) {
            throw new IllegalArgumentException("billing run counts must not be negative");
        }
    }
}
