/**
 * Aggregation states: mergeable, exact summaries of the contributions of many
 * events (sum, count, unique count, min, max, latest, average and the
 * time-weighted sum of a gauge, and the add and remove operations of a
 * persistent count, whose {@link dev.tally.core.aggregate.UnitTimeline} says
 * what any window of a unit history means). States of adjacent buckets merge
 * into the state of their union, which is how windows and ranges are answered.
 */
package dev.tally.core.aggregate;
