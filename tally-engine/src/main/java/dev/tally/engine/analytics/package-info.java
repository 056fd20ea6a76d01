/**
 * Revenue analytics over a tenant's stored books: {@link dev.tally.engine.analytics.Analytics} reads the
 * subscriptions, plans and finalized invoices (and their payment ledgers), turns them into the facts of
 * {@link dev.tally.core.analytics} and returns what that pure package computes. Nothing is stored: every answer is
 * recomputed from the invoices, so it cannot disagree with them.
 */
package dev.tally.engine.analytics;
