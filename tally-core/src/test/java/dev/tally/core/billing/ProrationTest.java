package dev.tally.core.billing;

import static dev.tally.core.billing.BillingFixtures.LA;
import static dev.tally.core.billing.BillingFixtures.USD;
import static dev.tally.core.billing.BillingFixtures.at;
import static dev.tally.core.billing.BillingFixtures.period;
import static dev.tally.core.pricing.Fixtures.d;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class ProrationTest {
    private final Period november = BillingFixtures.NOVEMBER;
    private final Period beforeChange = BillingFixtures.BEFORE_CHANGE;
    private final Period afterChange = BillingFixtures.AFTER_CHANGE;

    @Test
    void theSharedFixturesAreTheLocalTimesTheyClaim() {
        assertThat(november).isEqualTo(period("2026-11-01T00:00", "2026-12-01T00:00", LA));
        assertThat(afterChange.start()).isEqualTo(at("2026-11-10T14:37", LA));
    }

    @Test
    void aChangeAt1437OnThe10thGivesTheOldPlanNineDaysAndTheNewPlanTwentyOne() {
        assertThat(Proration.days(beforeChange, LA)).isEqualTo(9);
        assertThat(Proration.days(afterChange, LA)).isEqualTo(21);
        assertThat(Proration.days(november, LA)).isEqualTo(30);
    }

    @Test
    void prorates49DollarsAsNineThirtiethsAndTwentyOneThirtieths() {
        BigDecimal old = Proration.prorate(d("49.00"), beforeChange, november, LA);
        BigDecimal now = Proration.prorate(d("49.00"), afterChange, november, LA);

        assertThat(old).isEqualByComparingTo("14.7");
        assertThat(now).isEqualByComparingTo("34.3");
        assertThat(old.add(now)).isEqualByComparingTo("49.00");
    }

    @Test
    void aPartialDayCountsAsTheDayItStartsIn() {
        assertThat(Proration.days(at("2026-11-10T23:59", LA), at("2026-11-11T00:01", LA), LA)).isEqualTo(1);
        assertThat(Proration.days(at("2026-11-10T00:01", LA), at("2026-11-10T23:59", LA), LA)).isZero();
    }

    @Test
    void theDstDayCountsAsOneDayWhateverItsLength() {
        // Nov 1 2026 lasts 25 hours in Los Angeles
        assertThat(Proration.days(period("2026-11-01T00:00", "2026-11-02T00:00", LA), LA)).isEqualTo(1);
    }

    @Test
    void theWholePeriodGivesBackTheAmountUnchanged() {
        assertThat(Proration.prorate(d("49.00"), november, november, LA)).isEqualTo(d("49.00"));
    }

    @Test
    void aThirtyFirstIsKeptExactToTwentyDigitsBeyondTheAmountAndTheTwoPartsStillAddUp() {
        Period december = period("2026-12-01T00:00", "2027-01-01T00:00", LA);
        Period first10 = period("2026-12-01T00:00", "2026-12-11T00:00", LA);
        Period last21 = period("2026-12-11T00:00", "2027-01-01T00:00", LA);

        BigDecimal a = Proration.prorate(d("100.00"), first10, december, LA);
        BigDecimal b = Proration.prorate(d("100.00"), last21, december, LA);

        assertThat(a).isEqualTo(d("32.2580645161290322580645"));
        assertThat(b).isEqualTo(d("67.7419354838709677419355"));
        assertThat(a.add(b)).isEqualByComparingTo("100");
        assertThat(new Money(a, USD).rounded().plus(new Money(b, USD).rounded())).isEqualTo(Money.of("100.00", USD));
    }

    @Test
    void refusesAPartOutsideTheNominalPeriod() {
        Period overlapping = period("2026-11-20T00:00", "2026-12-05T00:00", LA);

        assertThatThrownBy(() -> Proration.prorate(d("49"), overlapping, november, LA))
                .isInstanceOf(InvalidBillingException.class)
                .hasMessageContaining("is not within the nominal period");
    }

    @Test
    void refusesANominalPeriodWithinOneLocalDay() {
        Period hours = period("2026-11-10T08:00", "2026-11-10T17:00", LA);

        assertThatThrownBy(() -> Proration.prorate(d("49"), hours, hours, LA))
                .isInstanceOf(InvalidBillingException.class)
                .hasMessageContaining("spans no local calendar day");
    }

    @Test
    void refusesToCountDaysBackwards() {
        assertThatThrownBy(() -> Proration.days(november.end(), november.start(), LA))
                .isInstanceOf(InvalidBillingException.class);
    }
}
