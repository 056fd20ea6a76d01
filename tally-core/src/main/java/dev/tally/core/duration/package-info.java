/**
 * Duration metering as pure interval arithmetic: the marks a duration meter keeps (start, heartbeat and stop
 * events of one session key, ordered by event time and never by arrival) and {@link dev.tally.core.duration.DurationCoverage},
 * which turns a set of marks into the disjoint time intervals they cover and measures any window of them exactly.
 * The rule is local: the time after a start or heartbeat is covered until the next mark of the same key, the
 * timeout, or a limit (the meter version's end, "now"), whichever comes first; so a period's total is the sum of its
 * windows' totals for every split and every time zone.
 */
package dev.tally.core.duration;
