/**
 * Aggregation states: mergeable, exact summaries of the contributions of many
 * events (sum, count, unique count, min, max, latest, average and the
 * time-weighted sum of a gauge). States of adjacent buckets merge into the
 * state of their union, which is how windows and ranges are answered.
 */
package dev.tally.core.aggregate;
