package dev.tally.engine.billing;

import java.time.Instant;

/**
 * What one billing run did, each invoice counted once per question.
 *
 * @param at        the instant the run billed up to
 * @param created   invoices this run created for a period boundary (whatever their status after the run)
 * @param rerated   drafts that existed before this run and were composed again because an input changed
 * @param finalized invoices this run finalized (including drafts it created whose grace period was already over)
 * @param inGrace   drafts still open after the run, waiting for their grace period to end
 * @param refreshed the drafts this run composed and left open or re-rated: those it created in their grace period
 *                  and those it re-rated
 * @param unchanged open drafts whose inputs had not changed since they were last rated: not composed again (those
 *                  whose grace period was over were finalized as they were)
 */
public record BillingRunResult(Instant at, int created, int rerated, int finalized, int inGrace, int refreshed,
        int unchanged) {
    public BillingRunResult {
        if (created < 0 || rerated < 0 || finalized < 0 || inGrace < 0 || refreshed < 0 || unchanged < 0) {
            throw new IllegalArgumentException("billing run counts must not be negative");
        }
    }

    /** A result without the count of unchanged drafts (none were). */
    public BillingRunResult(Instant at, int created, int rerated, int finalized, int inGrace, int refreshed) {
        this(at, created, rerated, finalized, inGrace, refreshed, 0);
    }
}
