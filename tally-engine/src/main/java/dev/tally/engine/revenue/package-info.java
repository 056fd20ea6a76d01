/**
 * The tenant's revenue overview (the dashboard's {@code GET /v1/stats}) answered from memory: per tenant and
 * currency, the sum of every customer's current-period estimate and the number of open periods, kept up to date off
 * the ingest path the way live credit balances are (customers marked on ingest, on billing changes and when time
 * alone changes their figures, recomputed coalesced on the maintenance thread within a time budget, the tenant's sum
 * moved by the delta of each customer's old and new estimate); and the invoiced and draft sums of the tenant's
 * invoices, kept from a sweep of changed invoice rows. {@link OpenRevenue} is the facade; docs/ARCHITECTURE.md
 * ("Whole-tenant questions: the tenant rollup") and docs/BILLING.md ("Revenue overview") state how fresh it is.
 */
package dev.tally.engine.revenue;
