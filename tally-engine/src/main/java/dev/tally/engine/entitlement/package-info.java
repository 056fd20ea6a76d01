/**
 * Entitlements, quotas and usage alerts. {@link dev.tally.engine.entitlement.Entitlements} answers "may this
 * customer use this feature now?" from memory: a view of every customer's live subscriptions, the plan versions
 * they are on and their feature overrides, refreshed when any of these change (and, on a shared database, from the
 * change counter every process bumps in the same transaction), with the period's usage read from the engine's
 * in-memory aggregates. {@link dev.tally.engine.entitlement.Alerts} evaluates usage and spend thresholds for the
 * customers whose usage changed and at period rollover; a unique row per (alert, customer, period, threshold) makes
 * each threshold fire once per period across processes, and the webhook message is recorded in the outbox in the
 * same transaction. The semantics are in {@code docs/ENTITLEMENTS.md}.
 */
package dev.tally.engine.entitlement;
