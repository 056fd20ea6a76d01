/**
 * Billing: customers, versioned plans, subscriptions with their phases, and
 * invoices. A billing run issues one invoice per subscription and boundary
 * (the start of the subscription and the end of each period), keeps it a
 * draft through the grace period while late events refresh it, then
 * finalizes it with the tenant's next gapless number; finalized invoices are
 * never edited, and late usage for their periods becomes an adjustment on the
 * next one.
 */
package dev.tally.engine.billing;
