/**
 * Time helpers. Every component reads "now" from an injected {@link java.time.Clock}; tests and
 * benchmarks move a {@link dev.tally.core.time.ManualClock} instead of sleeping.
 */
package dev.tally.core.time;
