/**
 * Meters: what to measure from which events. A meter names an event type, an
 * aggregation, where the value comes from (a data path or an expression),
 * property filters and group-by dimensions; it is versioned, each version in
 * force from an instant. {@link dev.tally.core.meter.MeterCatalog} turns one
 * event into the contributions it makes to every meter in force at its time.
 */
package dev.tally.core.meter;
