/**
 * Usage events as Tally receives them: the CloudEvents 1.0 envelope, the
 * parsing of single and batch bodies into per-event outcomes, and the rules
 * that accept or reject an event (required attributes, time bounds, size).
 * Nothing here is stored or deduplicated; that is the engine's job.
 */
package dev.tally.core.event;
