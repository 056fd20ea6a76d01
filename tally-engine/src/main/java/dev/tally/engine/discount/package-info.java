/**
 * A subscription's own pricing, stored and applied: price overrides (versions only ever added), coupons and their
 * redemptions, in the metadata database (SQLite or PostgreSQL, the same schema), and the
 * {@link dev.tally.engine.billing.SubscriptionPricing} that invoice composition asks for the priced parts of a
 * segment and for an invoice's discount lines. {@link dev.tally.engine.discount.Discounts} is the facade.
 */
package dev.tally.engine.discount;
