package dev.tally.core.billing;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Optional;

/**
 * How long a billing period is: a week, a month, a quarter (three months) or a year, always counted in the
 * customer's local calendar. {@link #wireName()} is the API spelling ({@code "weekly"}, {@code "monthly"},
 * {@code "quarterly"}, {@code "yearly"}).
 */
public enum BillingInterval {
    WEEKLY("weekly"),
    MONTHLY("monthly"),
    QUARTERLY("quarterly"),
    YEARLY("yearly");

    private final String wireName;

    BillingInterval(String wireName) {
        this.wireName = wireName;
    }

    /** The API spelling, e.g. {@code "monthly"}. */
    public String wireName() {
        return wireName;
    }

    /** The interval with this API spelling (exact, lower case), or empty. */
    public static Optional<BillingInterval> fromWireName(String name) {
        return Arrays.stream(values()).filter(i -> i.wireName.equals(name)).findFirst();
    }

    /**
     * {@code date} plus {@code k} intervals, always computed from {@code date} itself (never chained), so a
     * month-end anchor is clamped per month without drifting: Jan 31 + 1 month is Feb 28 (or 29), + 2 months is
     * Mar 31.
     */
    LocalDate plus(LocalDate date, long k) {
        return switch (this) {
            case WEEKLY -> date.plusWeeks(k);
            case MONTHLY -> date.plusMonths(k);
            case QUARTERLY -> date.plusMonths(3 * k);
            case YEARLY -> date.plusYears(k);
        };
    }

    /** Whole intervals from {@code from} to {@code to} (a lower bound for anniversary arithmetic; callers adjust by one). */
    long between(LocalDate from, LocalDate to) {
        return switch (this) {
            case WEEKLY -> ChronoUnit.WEEKS.between(from, to);
            case MONTHLY -> ChronoUnit.MONTHS.between(from, to);
            case QUARTERLY -> ChronoUnit.MONTHS.between(from, to) / 3;
            case YEARLY -> ChronoUnit.YEARS.between(from, to);
        };
    }

    /**
     * The calendar boundary on or before {@code date}: the Monday of its ISO week, the 1st of its month, the 1st
     * of its quarter (Jan, Apr, Jul, Oct) or Jan 1 of its year.
     */
    LocalDate calendarBoundaryOnOrBefore(LocalDate date) {
        return switch (this) {
            case WEEKLY -> date.minusDays(date.getDayOfWeek().getValue() - 1L);
            case MONTHLY -> date.withDayOfMonth(1);
            case QUARTERLY -> LocalDate.of(date.getYear(), (date.getMonthValue() - 1) / 3 * 3 + 1, 1);
            case YEARLY -> date.withDayOfYear(1);
        };
    }
}
