/**
 * The one place client input becomes values: {@link dev.tally.core.input.DecimalInput} turns decimal strings
 * and JSON numbers into {@code BigDecimal}s inside a published range (bounded in scale and exponent, so no
 * input can make arithmetic overflow or run out of memory), {@link dev.tally.core.input.InstantInput} turns
 * RFC 3339 text into instants between the years 1970 and 9999, and {@link dev.tally.core.input.TextInput}
 * refuses text that is not valid Unicode where a string is an identity. Every reader of plans, prices,
 * customers, alerts, entitlements, meters, events and queries goes through these, never through
 * {@code new BigDecimal(..)} or {@code Instant.parse(..)} of its own.
 */
package dev.tally.core.input;
