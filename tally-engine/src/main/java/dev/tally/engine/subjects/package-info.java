/**
 * Event subjects that match no customer: their events are stored and metered but no invoice will ever bill them
 * (no customer, or an archived one). {@link dev.tally.engine.subjects.UnmatchedSubjects} lists them with counts and
 * first/last event times, and announces each new one once as an {@code events.unknown_subject} webhook message.
 */
package dev.tally.engine.subjects;
