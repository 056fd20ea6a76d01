/**
 * Seats beside usage in the engine: the immutable history of each subscription's quantities of its licensed charges
 * ({@link dev.tally.engine.billing.seats.SubscriptionQuantities}, stored in {@code subscription_quantities} on the
 * embedded store and on PostgreSQL alike), and the licensed lines the invoice composer adds to each invoice
 * ({@link dev.tally.engine.billing.seats.SeatLines}): the base of a period in advance or in arrears, one line per
 * mid-period change on the invoice that closes the period, and meter-read quantities at the period's end. The
 * arithmetic is {@link dev.tally.core.billing.seat.SeatBilling}'s.
 */
package dev.tally.engine.billing.seats;
