package dev.tally.core.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Proration by local calendar day. A part of a billing period pays {@code days(part) / days(nominal)} of a
 * period's fee, where a day is a local calendar date in the customer's zone and a partial day counts as the day it
 * starts in: a plan change at 14:37 on the 10th of a 30-day month gives the old plan days 1 to 9 (9/30) and the new
 * plan days 10 to 30 (21/30). Days of adjacent parts never overlap and add up to the whole, and a day is 1 whether
 * it lasts 23, 24 or 25 hours.
 *
 * <p>Guarantees of {@link #prorate}: the whole period gives back the amount unchanged; the result is never more
 * than the amount (for a non-negative amount, never negative either); and for a period split in two at any instant
 * the two parts add up to the amount exactly. Nothing is rounded to a currency here: the caller rounds once per
 * invoice line.
 */
public final class Proration {
    /**
     * Digits kept after the amount's own scale by the one division. Twenty more digits are far more than any
     * currency's minor unit needs: a prorated amount can never be pushed across a rounding boundary by it.
     */
    static final int EXTRA_DIGITS = 20;

    private Proration() {
    }

    /**
     * The number of local calendar days of {@code [from, to)} in {@code zone}: the days between the local dates of
     * {@code from} and {@code to}, so a partial day counts as the day it starts in (and not at all for the part that
     * ends in it). Zero when both lie on the same local date.
     *
     * @throws InvalidBillingException if {@code to} is before {@code from}
     */
    public static long days(Instant from, Instant to, ZoneId zone) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(zone, "zone");
        if (to.isBefore(from)) {
            throw new InvalidBillingException("", "cannot count the days from " + from + " back to " + to);
        }
        return ChronoUnit.DAYS.between(BillingCalendar.localDate(from, zone), BillingCalendar.localDate(to, zone));
    }

    /** The number of local calendar days of a period (see {@link #days(Instant, Instant, ZoneId)}). */
    public static long days(Period period, ZoneId zone) {
        Objects.requireNonNull(period, "period");
        return days(period.start(), period.end(), zone);
    }

    /**
     * {@code amount × days(part) / days(nominal)}: the exact product, then one division kept to
     * {@value #EXTRA_DIGITS} digits beyond the amount's scale with {@link RoundingMode#HALF_EVEN} (which makes the
     * two parts of any split add up to the amount exactly). The whole nominal period returns {@code amount} itself.
     * Not rounded to a currency: the caller rounds once per line.
     *
     * @throws InvalidBillingException if {@code part} is not within {@code nominal}, or {@code nominal} spans no
     *     local calendar day
     */
    public static BigDecimal prorate(BigDecimal amount, Period part, Period nominal, ZoneId zone) {
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(part, "part");
        Objects.requireNonNull(nominal, "nominal");
        Objects.requireNonNull(zone, "zone");
        if (!nominal.encloses(part)) {
            throw new InvalidBillingException("period", part + " is not within the nominal period " + nominal);
        }
        long whole = days(nominal, zone);
        if (whole == 0) {
            throw new InvalidBillingException("period", "the nominal period " + nominal
                    + " spans no local calendar day in " + zone.getId() + " and cannot be prorated");
        }
        long used = days(part, zone);
        if (used == whole) {
            return amount;
        }
        int scale = Math.max(amount.scale(), 0) + EXTRA_DIGITS;
        BigDecimal exact = amount.multiply(BigDecimal.valueOf(used))
                .divide(BigDecimal.valueOf(whole), scale, RoundingMode.HALF_EVEN);
        BigDecimal stripped = exact.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0, RoundingMode.UNNECESSARY) : stripped;
    }
}
