/**
 * Storage of the credit ledger on the metadata database (SQLite or PostgreSQL, the same schema): wallets per
 * customer and currency, grants, and immutable numbered entries; {@link dev.tally.engine.credit.Credits} is the
 * facade that grants, voids, adjusts and expires credits, and applies them to invoices when billing finalizes or
 * voids one, in the billing transaction. Every write locks its wallet (a PostgreSQL transaction lock; SQLite is
 * one writer), so two processes never draw the same credits twice, and automatic entries carry an idempotency key.
 * Around it: {@link dev.tally.engine.credit.RecurringGrants} (a plan's recurring credits and their rollover at each
 * subscription boundary, once), {@link dev.tally.engine.credit.CreditPurchases} (a paid grant and the one-off
 * invoice of its price), {@link dev.tally.engine.credit.AutoTopUps} (a purchase per crossing of a wallet's
 * threshold) and {@link dev.tally.engine.credit.CreditUnits} (grants in a custom unit, converted exactly to money).
 */
package dev.tally.engine.credit;
