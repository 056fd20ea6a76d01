/**
 * Seats beside usage: the arithmetic of licensed charges ({@link dev.tally.core.billing.LicensedCharge}). A
 * subscription's quantity of a licensed charge is a history of immutable changes, each effective from an instant
 * ({@link QuantityHistory}); {@link SeatBilling} turns the quantity in force at the start of a billing period into
 * the period's base line and every change inside the period into its own line, prorated by local day exactly as
 * plan changes are ({@link dev.tally.core.billing.Proration}): {@code (price(new) − price(old)) × remaining days /
 * days of the period}, with the price of a count computed by the charge's price model (unit, package, graduated or
 * volume tiers over the count). Pure: no I/O, no clock, exact decimals.
 */
package dev.tally.core.billing.seat;
