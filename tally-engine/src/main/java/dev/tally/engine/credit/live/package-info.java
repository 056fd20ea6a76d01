/**
 * Live credit balances: each prepaid customer's wallets after the current period's estimated usage, kept in memory
 * and brought up to date off the ingest path (customers are marked on ingest, recomputed coalesced on the
 * maintenance thread within a time budget), the {@code wallet.balance_low} and {@code wallet.depleted} alerts fired
 * once per crossing through the outbox, and features that require a positive live balance. {@link LiveCredits} is
 * the facade; docs/CREDITS.md ("Live balance") states the freshness guarantee.
 */
package dev.tally.engine.credit.live;
