/**
 * Live usage: per tenant, customer, meter version and group, one exact
 * aggregation state per hour of event time, plus each customer's event
 * positions per hour. Ranges are answered by merging whole hours and reading
 * the raw events of partial hours from the log, so any range is exact. All of
 * it is derived state: rebuilt from the log and checkpointed.
 */
package dev.tally.engine.usage;
