package dev.tally.core.billing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The billing periods of a subscription, computed in the customer's time zone. Guarantees, for every start, zone,
 * interval and anchor: the periods are contiguous ({@code next(p).start() == p.end()}, no gap, no overlap), every
 * instant at or after the start lies in exactly one of them, and every boundary after the first period's start is a
 * local midnight (the start of a local day, so a period can contain a 23- or 25-hour day around a DST change, and a
 * local month is generally not a UTC month: November 2026 in Los Angeles is
 * {@code [2026-11-01T07:00Z, 2026-12-01T08:00Z)}).
 * <ul>
 *   <li>{@link BillingAnchor#CALENDAR}: boundaries at the local midnight of every Monday (weekly), every 1st
 *       (monthly), every Jan/Apr/Jul/Oct 1 (quarterly) or every Jan 1 (yearly). The first period is
 *       {@code [subscriptionStart, first boundary after it)}, partial unless the subscription starts exactly on a
 *       boundary.</li>
 *   <li>{@link BillingAnchor#ANNIVERSARY}: boundaries at the local midnight of the start's local date plus
 *       {@code k} intervals, each computed from the start date itself, so the anchor day is kept and clamped to
 *       short months (anchor 31: Jan 31, Feb 28 or 29, Mar 31, Apr 30, ...) and Feb 29 renews yearly on Feb 28 in
 *       common years. The first period starts at {@code subscriptionStart} itself.</li>
 * </ul>
 * Nothing here reads a clock: the instants are given.
 */
public final class BillingCalendar {
    private BillingCalendar() {
    }

    /**
     * The billing period containing {@code t} of a subscription started at {@code subscriptionStart}.
     *
     * @throws InvalidBillingException if {@code t} is before {@code subscriptionStart}
     */
    public static Period periodContaining(Instant subscriptionStart, Instant t, ZoneId zone, BillingInterval interval,
            BillingAnchor anchor) {
        Objects.requireNonNull(subscriptionStart, "subscriptionStart");
        Objects.requireNonNull(t, "t");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(anchor, "anchor");
        if (t.isBefore(subscriptionStart)) {
            throw new InvalidBillingException("", "no billing period contains " + t
                    + ": it is before the subscription started at " + subscriptionStart);
        }
        LocalDate startDate = localDate(subscriptionStart, zone);
        return switch (anchor) {
            case CALENDAR -> calendarPeriod(subscriptionStart, startDate, t, zone, interval);
            case ANNIVERSARY -> anniversaryPeriod(subscriptionStart, startDate, t, zone, interval);
        };
    }

    /**
     * The period right after {@code p}: it starts where {@code p} ends.
     *
     * @throws InvalidBillingException if {@code p} is not a billing period of this subscription
     */
    public static Period next(Instant subscriptionStart, Period p, ZoneId zone, BillingInterval interval,
            BillingAnchor anchor) {
        requirePeriodOf(subscriptionStart, p, zone, interval, anchor);
        return periodContaining(subscriptionStart, p.end(), zone, interval, anchor);
    }

    /**
     * The full-length period {@code p} belongs to: the proration denominator. It differs from {@code p} only for
     * a partial first calendar period, whose nominal period starts at the calendar boundary on or before the
     * subscription's start (a monthly subscription started on Nov 10 has the nominal period Nov 1 to Dec 1). An
     * anniversary period is its own nominal period (its first period starts within the anchor day, which counts as
     * a whole day).
     *
     * @throws InvalidBillingException if {@code p} is not a billing period of this subscription
     */
    public static Period nominal(Instant subscriptionStart, Period p, ZoneId zone, BillingInterval interval,
            BillingAnchor anchor) {
        requirePeriodOf(subscriptionStart, p, zone, interval, anchor);
        if (anchor == BillingAnchor.CALENDAR && p.start().equals(subscriptionStart)) {
            LocalDate boundary = interval.calendarBoundaryOnOrBefore(localDate(subscriptionStart, zone));
            return new Period(midnight(boundary, zone), p.end());
        }
        return p;
    }

    private static Period calendarPeriod(Instant start, LocalDate startDate, Instant t, ZoneId zone,
            BillingInterval interval) {
        LocalDate first = interval.calendarBoundaryOnOrBefore(startDate);
        Instant firstEnd = midnight(interval.plus(first, 1), zone);
        if (t.isBefore(firstEnd)) {
            return new Period(start, firstEnd);
        }
        LocalDate boundary = interval.calendarBoundaryOnOrBefore(localDate(t, zone));
        return new Period(midnight(boundary, zone), midnight(interval.plus(boundary, 1), zone));
    }

    private static Period anniversaryPeriod(Instant start, LocalDate anchorDate, Instant t, ZoneId zone,
            BillingInterval interval) {
        Instant firstEnd = midnight(interval.plus(anchorDate, 1), zone);
        if (t.isBefore(firstEnd)) {
            return new Period(start, firstEnd);
        }
        long k = Math.max(1, interval.between(anchorDate, localDate(t, zone)));
        while (!midnight(interval.plus(anchorDate, k + 1), zone).isAfter(t)) {
            k++;
        }
        while (k > 1 && midnight(interval.plus(anchorDate, k), zone).isAfter(t)) {
            k--;
        }
        return new Period(midnight(interval.plus(anchorDate, k), zone), midnight(interval.plus(anchorDate, k + 1), zone));
    }

    private static void requirePeriodOf(Instant subscriptionStart, Period p, ZoneId zone, BillingInterval interval,
            BillingAnchor anchor) {
        Objects.requireNonNull(p, "p");
        if (p.start().isBefore(subscriptionStart)
                || !periodContaining(subscriptionStart, p.start(), zone, interval, anchor).equals(p)) {
            throw new InvalidBillingException("period", p + " is not a " + anchor.wireName() + " "
                    + interval.wireName() + " billing period of a subscription started at " + subscriptionStart
                    + " in " + zone.getId());
        }
    }

    /** The local date of an instant in the zone. */
    static LocalDate localDate(Instant t, ZoneId zone) {
        return t.atZone(zone).toLocalDate();
    }

    /**
     * The first instant of a local date: its midnight, or, when midnight falls in a DST gap, the first valid
     * instant after the gap.
     */
    static Instant midnight(LocalDate date, ZoneId zone) {
        return date.atStartOfDay(zone).toInstant();
    }
}
