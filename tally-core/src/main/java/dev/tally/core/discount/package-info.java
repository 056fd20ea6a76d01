/**
 * Negotiated prices and discounts, pure: a subscription's price overrides (versioned, effective-dated terms for one
 * charge: another price model, another flat amount, or a percentage off), how they split a billing segment into
 * priced parts ({@link dev.tally.core.discount.OverrideSchedule}), coupons and their redemptions, and the discount
 * arithmetic of an invoice ({@link dev.tally.core.discount.DiscountCalculator}): one negative line per discount and
 * charge, never taking a charge or the invoice below zero, fixed amounts split exactly to the minor unit. See
 * docs/DISCOUNTS.md.
 */
package dev.tally.core.discount;
