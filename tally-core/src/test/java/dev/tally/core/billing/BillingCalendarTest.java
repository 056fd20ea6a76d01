package dev.tally.core.billing;

import static dev.tally.core.billing.BillingAnchor.ANNIVERSARY;
import static dev.tally.core.billing.BillingAnchor.CALENDAR;
import static dev.tally.core.billing.BillingFixtures.BERLIN;
import static dev.tally.core.billing.BillingFixtures.KOLKATA;
import static dev.tally.core.billing.BillingFixtures.LA;
import static dev.tally.core.billing.BillingFixtures.SANTIAGO;
import static dev.tally.core.billing.BillingFixtures.at;
import static dev.tally.core.billing.BillingFixtures.period;
import static dev.tally.core.billing.BillingFixtures.utc;
import static dev.tally.core.billing.BillingInterval.MONTHLY;
import static dev.tally.core.billing.BillingInterval.QUARTERLY;
import static dev.tally.core.billing.BillingInterval.WEEKLY;
import static dev.tally.core.billing.BillingInterval.YEARLY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.billing.BillingFixtures.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class BillingCalendarTest {

    private static Schedule schedule(String localStart, ZoneId zone, BillingInterval interval, BillingAnchor anchor) {
        return new Schedule(at(localStart, zone), zone, interval, anchor);
    }

    @Test
    void aMonthInLosAngelesIsNotAUtcMonthAndSpansTheDstEnd() {
        Schedule s = schedule("2026-10-15T09:00", LA, MONTHLY, CALENDAR);

        Period november = s.periodContaining(Instant.parse("2026-11-15T12:00:00Z"));

        assertThat(november).isEqualTo(utc("2026-11-01T07:00:00Z", "2026-12-01T08:00:00Z"));
        assertThat(Duration.between(november.start(), november.end())).isEqualTo(Duration.ofDays(30).plusHours(1));
        assertThat(Proration.days(november, LA)).isEqualTo(30);
    }

    @Test
    void anInstantEarlyInTheUtcMonthStillBelongsToTheLocalMonthBefore() {
        Schedule s = schedule("2026-10-01T00:00", LA, MONTHLY, CALENDAR);

        // 2026-11-01T03:00Z is Oct 31, 20:00 in Los Angeles
        assertThat(s.periodContaining(Instant.parse("2026-11-01T03:00:00Z")))
                .isEqualTo(utc("2026-10-01T07:00:00Z", "2026-11-01T07:00:00Z"));
    }

    @Test
    void theFirstCalendarPeriodRunsFromTheStartToTheNextBoundaryAndItsNominalPeriodIsTheWholeMonth() {
        Schedule s = schedule("2026-11-10T14:37", LA, MONTHLY, CALENDAR);

        Period first = s.periodContaining(s.start());

        assertThat(first).isEqualTo(new Period(at("2026-11-10T14:37", LA), at("2026-12-01T00:00", LA)));
        assertThat(s.nominal(first)).isEqualTo(period("2026-11-01T00:00", "2026-12-01T00:00", LA));
        assertThat(s.next(first)).isEqualTo(period("2026-12-01T00:00", "2027-01-01T00:00", LA));
        assertThat(s.nominal(s.next(first))).isEqualTo(s.next(first));
    }

    @Test
    void aCalendarSubscriptionStartingExactlyOnABoundaryHasAFullFirstPeriod() {
        Schedule s = schedule("2026-11-01T00:00", LA, MONTHLY, CALENDAR);

        Period first = s.periodContaining(s.start());

        assertThat(first).isEqualTo(period("2026-11-01T00:00", "2026-12-01T00:00", LA));
        assertThat(s.nominal(first)).isEqualTo(first);
    }

    @Test
    void calendarWeeksStartOnMonday() {
        // 2026-11-11 is a Wednesday
        Schedule s = schedule("2026-11-11T10:00", LA, WEEKLY, CALENDAR);

        List<Period> periods = s.periods(3);

        assertThat(periods).containsExactly(
                new Period(s.start(), at("2026-11-16T00:00", LA)),
                period("2026-11-16T00:00", "2026-11-23T00:00", LA),
                period("2026-11-23T00:00", "2026-11-30T00:00", LA));
        assertThat(s.nominal(periods.get(0))).isEqualTo(period("2026-11-09T00:00", "2026-11-16T00:00", LA));
    }

    @Test
    void calendarQuartersStartOnJanuaryAprilJulyAndOctoberFirst() {
        Schedule s = schedule("2026-05-20T08:00", KOLKATA, QUARTERLY, CALENDAR);

        assertThat(s.periods(4)).containsExactly(
                new Period(s.start(), at("2026-07-01T00:00", KOLKATA)),
                period("2026-07-01T00:00", "2026-10-01T00:00", KOLKATA),
                period("2026-10-01T00:00", "2027-01-01T00:00", KOLKATA),
                period("2027-01-01T00:00", "2027-04-01T00:00", KOLKATA));
        assertThat(s.nominal(s.periodContaining(s.start()))).isEqualTo(period("2026-04-01T00:00", "2026-07-01T00:00", KOLKATA));
    }

    @Test
    void calendarYearsStartOnJanuaryFirst() {
        Schedule s = schedule("2027-06-30T23:59", BERLIN, YEARLY, CALENDAR);

        assertThat(s.periods(2)).containsExactly(
                new Period(s.start(), at("2028-01-01T00:00", BERLIN)),
                period("2028-01-01T00:00", "2029-01-01T00:00", BERLIN));
        assertThat(Proration.days(s.periods(2).get(1), BERLIN)).isEqualTo(366);
    }

    @Test
    void kolkataMonthsStartAtEighteenThirtyUtcTheDayBefore() {
        Schedule s = schedule("2026-01-01T00:00", KOLKATA, MONTHLY, CALENDAR);

        assertThat(s.periodContaining(Instant.parse("2026-11-15T00:00:00Z")))
                .isEqualTo(utc("2026-10-31T18:30:00Z", "2026-11-30T18:30:00Z"));
    }

    @Test
    void aBerlinMonthWithTheSpringDstChangeIsAnHourShortButStill31Days() {
        Schedule s = schedule("2026-01-01T00:00", BERLIN, MONTHLY, CALENDAR);

        Period march = s.periodContaining(at("2026-03-15T12:00", BERLIN));

        assertThat(march).isEqualTo(utc("2026-02-28T23:00:00Z", "2026-03-31T22:00:00Z"));
        assertThat(Duration.between(march.start(), march.end())).isEqualTo(Duration.ofDays(31).minusHours(1));
        assertThat(Proration.days(march, BERLIN)).isEqualTo(31);
    }

    @Test
    void aBerlinWeekWithTheAutumnDstChangeLasts169Hours() {
        // DST ends on Sunday 2026-10-25 in Berlin
        Schedule s = schedule("2026-01-05T00:00", BERLIN, WEEKLY, CALENDAR);

        Period week = s.periodContaining(at("2026-10-24T12:00", BERLIN));

        assertThat(week).isEqualTo(utc("2026-10-18T22:00:00Z", "2026-10-25T23:00:00Z"));
        assertThat(Duration.between(week.start(), week.end())).isEqualTo(Duration.ofHours(169));
    }

    @Test
    void aBoundaryOnADayWithoutLocalMidnightIsTheFirstInstantOfThatDay() {
        // Santiago skips from 00:00 to 01:00 on Sunday 2026-09-06
        Schedule s = schedule("2026-08-30T09:00", SANTIAGO, WEEKLY, ANNIVERSARY);

        Period second = s.next(s.periodContaining(s.start()));

        assertThat(second.start()).isEqualTo(Instant.parse("2026-09-06T04:00:00Z"));
        assertThat(second.start().atZone(SANTIAGO).toLocalTime()).hasToString("01:00");
    }

    @Test
    void anniversaryPeriodsStartAtTheSubscriptionStartAndRenewAtLocalMidnightOfTheAnchorDay() {
        Schedule s = schedule("2026-11-10T14:37", LA, MONTHLY, ANNIVERSARY);

        List<Period> periods = s.periods(3);

        assertThat(periods).containsExactly(
                new Period(s.start(), at("2026-12-10T00:00", LA)),
                period("2026-12-10T00:00", "2027-01-10T00:00", LA),
                period("2027-01-10T00:00", "2027-02-10T00:00", LA));
        assertThat(s.nominal(periods.get(0))).isEqualTo(periods.get(0));
        assertThat(Proration.days(periods.get(0), LA)).isEqualTo(30);
    }

    @Test
    void anniversaryOnThe31stClampsToShortMonthsWithoutDrifting() {
        Schedule s = schedule("2027-01-31T10:00", LA, MONTHLY, ANNIVERSARY);

        assertThat(s.periods(5).stream().map(p -> p.end().atZone(LA).toLocalDate().toString()))
                .containsExactly("2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30");
    }

    @Test
    void anniversaryOnThe31stRenewsOnFebruary29thInALeapYear() {
        Schedule s = schedule("2028-01-31T10:00", BERLIN, MONTHLY, ANNIVERSARY);

        assertThat(s.periods(2).stream().map(p -> p.end().atZone(BERLIN).toLocalDate().toString()))
                .containsExactly("2028-02-29", "2028-03-31");
    }

    @Test
    void aYearlyAnniversaryOnFebruary29thRenewsOnFebruary28thInCommonYears() {
        Schedule s = schedule("2028-02-29T12:00", KOLKATA, YEARLY, ANNIVERSARY);

        assertThat(s.periods(4).stream().map(p -> p.end().atZone(KOLKATA).toLocalDate().toString()))
                .containsExactly("2029-02-28", "2030-02-28", "2031-02-28", "2032-02-29");
    }

    @Test
    void aQuarterlyAnniversaryOnNovember30thKeepsThe30th() {
        Schedule s = schedule("2026-11-30T00:00", LA, QUARTERLY, ANNIVERSARY);

        assertThat(s.periods(4).stream().map(p -> p.end().atZone(LA).toLocalDate().toString()))
                .containsExactly("2027-02-28", "2027-05-30", "2027-08-30", "2027-11-30");
    }

    @Test
    void weeklyAnniversaryPeriodsRenewOnTheStartsWeekday() {
        // 2026-11-11 is a Wednesday
        Schedule s = schedule("2026-11-11T10:00", LA, WEEKLY, ANNIVERSARY);

        assertThat(s.periods(3).stream().map(p -> p.end().atZone(LA).getDayOfWeek().toString()))
                .containsOnly("WEDNESDAY");
    }

    @Test
    void findsTheAnniversaryPeriodOfAnInstantFarAfterTheStart() {
        Schedule s = schedule("2024-01-31T10:00", LA, MONTHLY, ANNIVERSARY);

        assertThat(s.periodContaining(at("2026-02-28T00:00", LA))).isEqualTo(period("2026-02-28T00:00", "2026-03-31T00:00", LA));
        assertThat(s.periodContaining(at("2026-02-27T23:59", LA))).isEqualTo(period("2026-01-31T00:00", "2026-02-28T00:00", LA));
    }

    @Test
    void refusesAnInstantBeforeTheSubscriptionStarted() {
        Schedule s = schedule("2026-11-10T14:37", LA, MONTHLY, CALENDAR);

        assertThatThrownBy(() -> s.periodContaining(at("2026-11-10T14:36", LA)))
                .isInstanceOf(InvalidBillingException.class)
                .hasMessageContaining("before the subscription started");
    }

    @Test
    void refusesToContinueFromAPeriodThatIsNotOneOfTheSubscription() {
        Schedule s = schedule("2026-11-10T14:37", LA, MONTHLY, CALENDAR);

        assertThatThrownBy(() -> s.next(period("2026-12-02T00:00", "2027-01-01T00:00", LA)))
                .isInstanceOf(InvalidBillingException.class)
                .hasMessageContaining("is not a calendar monthly billing period");
        assertThatThrownBy(() -> s.nominal(period("2026-11-01T00:00", "2026-12-01T00:00", LA)))
                .isInstanceOf(InvalidBillingException.class);
    }

    @Test
    void wireNamesRoundTrip() {
        for (BillingInterval i : BillingInterval.values()) {
            assertThat(BillingInterval.fromWireName(i.wireName())).contains(i);
        }
        for (BillingAnchor a : BillingAnchor.values()) {
            assertThat(BillingAnchor.fromWireName(a.wireName())).contains(a);
        }
        assertThat(BillingInterval.fromWireName("Monthly")).isEmpty();
        assertThat(BillingAnchor.fromWireName("anniversary")).contains(ANNIVERSARY);
    }
}
