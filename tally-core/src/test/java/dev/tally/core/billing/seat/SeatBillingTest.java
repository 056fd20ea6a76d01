package dev.tally.core.billing.seat;

import static dev.tally.core.billing.seat.SeatFixtures.NOV;
import static dev.tally.core.billing.seat.SeatFixtures.priced;
import static dev.tally.core.billing.seat.SeatFixtures.rounded;
import static dev.tally.core.billing.seat.SeatFixtures.seats;
import static dev.tally.core.pricing.Fixtures.USD;
import static dev.tally.core.pricing.Fixtures.d;
import static dev.tally.core.pricing.Fixtures.openTier;
import static dev.tally.core.pricing.Fixtures.tier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.billing.InvalidBillingException;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LicensedCharge.Decrease;
import dev.tally.core.billing.LicensedCharge.Increase;
import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.Period;
import dev.tally.core.pricing.GraduatedPrice;
import dev.tally.core.pricing.UnitPrice;
import dev.tally.core.pricing.VolumePrice;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Worked examples of seat lines (November 2026 in UTC, 30 days), every amount computed by hand in the test. */
class SeatBillingTest {
    static final ZoneId UTC = ZoneId.of("UTC");
    static final PricedCharge TEN_A_SEAT = priced("team", seats(new UnitPrice(d("10")), Increase.IMMEDIATE, Decrease.CREDIT));

    static Instant nov(int day, int hour) {
        return Instant.parse(String.format("2026-11-%02dT%02d:00:00Z", day, hour));
    }

    static SeatStep.Quantity to(int quantity, Instant at) {
        return new SeatStep.Quantity(at, BigDecimal.valueOf(quantity), "qch_" + quantity);
    }

    List<InvoiceLine> changes(PricedCharge p, int start, SeatStep... steps) {
        return SeatBilling.changes(Optional.of(p), BigDecimal.valueOf(start), List.of(steps), NOV.end(), NOV, USD, UTC);
    }

    @Test
    void billsAWholePeriodsBaseAsThePriceModelsOwnLines() {
        List<InvoiceLine> lines = SeatBilling.base(TEN_A_SEAT, d("5"), NOV, NOV, USD, UTC, Optional.empty());

        assertThat(lines).singleElement().satisfies(l -> {
            assertThat(l.kind()).isEqualTo(LineKind.LICENSED);
            assertThat(l.description()).isEqualTo("Seats (5): Usage");
            assertThat(l.quantity()).isEqualByComparingTo("5");
            assertThat(l.unitPrice()).isEqualByComparingTo("10");
            assertThat(l.amount().amount()).isEqualByComparingTo("50.00");
        });
    }

    @Test
    void proratesAPartialPeriodsBaseByDay() {
        // started at 14:37 on Nov 10: days 10..30, 21 of 30 → 50 × 21/30 = 35.00
        Period part = new Period(Instant.parse("2026-11-10T14:37:00Z"), NOV.end());
        List<InvoiceLine> lines = SeatBilling.base(TEN_A_SEAT, d("5"), part, NOV, USD, UTC, Optional.empty());

        assertThat(lines).singleElement().satisfies(l -> {
            assertThat(l.description()).isEqualTo("Seats (5) (prorated 21 of 30 days, Nov 10 \u2013 Nov 30)");
            assertThat(l.amount().amount()).isEqualByComparingTo("35.00");
        });
    }

    @Test
    void billsAZeroBaseSoThatTheChargeIsVisible() {
        assertThat(SeatBilling.base(TEN_A_SEAT, d("0"), NOV, NOV, USD, UTC, Optional.empty()))
                .extracting(l -> l.amount().amount()).singleElement().satisfies(a -> assertThat(a).isEqualByComparingTo("0"));
    }

    @Test
    void proratesEachIncreaseAndCreditedDecreaseToTheRestOfThePeriod() {
        // 5 seats billed; 8 from Nov 10 (21 days left): (80 − 50) × 21/30 = 21.00;
        // 6 from Nov 20 (11 days left): (60 − 80) × 11/30 = −7.333… → −7.33
        List<InvoiceLine> lines = changes(TEN_A_SEAT, 5, to(8, nov(10, 14)), to(6, nov(20, 9)));

        assertThat(lines).extracting(l -> l.amount().amount().toPlainString()).containsExactly("21.00", "-7.33");
        assertThat(lines).allSatisfy(l -> assertThat(l.kind()).isEqualTo(LineKind.LICENSED_CHANGE));
        assertThat(lines.get(0).description()).isEqualTo("Seats: 5 \u2192 8 from Nov 10 (change qch_8), 5 billed before"
                + " (prorated 21 of 30 days, Nov 10 \u2013 Nov 30)");
        assertThat(lines.get(1).period()).isEqualTo(new Period(nov(20, 9), NOV.end()));
        // with the base of 50.00: 9 days at 50, 10 at 80, 11 at 60 = (450 + 800 + 660)/30 = 63.666… 
        assertThat(d("50.00").add(SeatFixtures.exact(lines))).isEqualByComparingTo(new BigDecimal("1910")
                .divide(d("30"), 20, java.math.RoundingMode.HALF_EVEN));
    }

    @Test
    void anIncreaseReversedTheSameDayNetsToZero() {
        List<InvoiceLine> lines = changes(TEN_A_SEAT, 5, to(8, nov(10, 9)), to(5, nov(10, 17)));

        assertThat(lines).extracting(l -> l.amount().amount().toPlainString()).containsExactly("21.00", "-21.00");
    }

    @Test
    void anUncreditedDecreaseKeepsTheHigherCountBilledUntilThePeriodEnds() {
        PricedCharge p = priced("team", seats(new UnitPrice(d("10")), Increase.IMMEDIATE, Decrease.NONE));
        // 8 → 6 on Nov 20 is not credited (8 stay billed); 6 → 9 on Nov 25 is an increase over the 8 billed:
        // (90 − 80) × 6/30 = 2.00
        List<InvoiceLine> lines = changes(p, 8, to(6, nov(20, 9)), to(9, nov(25, 9)));

        assertThat(lines).extracting(l -> l.amount().amount().toPlainString()).containsExactly("0.00", "2.00");
        assertThat(lines.get(0).description()).contains("a decrease is not credited (8 billed)");
    }

    @Test
    void anIncreaseAtPeriodEndIsNotChargedForTheRestOfThePeriod() {
        PricedCharge p = priced("team", seats(new UnitPrice(d("10")), Increase.PERIOD_END, Decrease.CREDIT));
        // 5 → 8 on Nov 10: nothing now; 8 → 4 on Nov 20 is a decrease below the 5 billed: (40 − 50) × 11/30 = −3.666…
        List<InvoiceLine> lines = changes(p, 5, to(8, nov(10, 9)), to(4, nov(20, 9)));

        assertThat(lines).extracting(l -> l.amount().amount().toPlainString()).containsExactly("0.00", "-3.67");
        assertThat(lines.get(0).description()).contains("an increase is billed from the next period (5 billed)");
    }

    @Test
    void aGraduatedChangeIsTheDifferenceOfTheTieredPrices() {
        // tiers: up to 10 seats at 10, above at 8. 8 seats = 80; 14 seats = 100 + 4 × 8 = 132.
        // 8 → 14 on Nov 16 (15 of 30 days): (132 − 80) × 15/30 = 26.00
        PricedCharge p = priced("team", seats(new GraduatedPrice(List.of(tier("10", "10", "0"), openTier("8", "0"))),
                Increase.IMMEDIATE, Decrease.CREDIT));
        assertThat(changes(p, 8, to(14, nov(16, 0)))).extracting(l -> l.amount().amount().toPlainString())
                .containsExactly("26.00");
    }

    @Test
    void aVolumeChangeCanLowerThePriceWhenTheCountCrossesIntoACheaperTier() {
        // volume: up to 10 seats at 10 each, more at 8 each. 10 seats = 100; 11 seats = 88; 14 seats = 112.
        PricedCharge p = priced("team", seats(new VolumePrice(List.of(tier("10", "10", "0"), openTier("8", "0"))),
                Increase.IMMEDIATE, Decrease.CREDIT));
        // 10 → 11 on Nov 16: (88 − 100) × 15/30 = −6.00; 11 → 14 on Nov 21: (112 − 88) × 10/30 = 8.00
        assertThat(changes(p, 10, to(11, nov(16, 0)), to(14, nov(21, 0))))
                .extracting(l -> l.amount().amount().toPlainString()).containsExactly("-6.00", "8.00");
    }

    @Test
    void aPlanChangeBillsTheNewPriceOfTheCountAgainstWhatWasBilled() {
        PricedCharge pro = priced("pro", seats(new UnitPrice(d("12")), Increase.IMMEDIATE, Decrease.CREDIT));
        // 5 seats at 10 → at 12 from Nov 16: (60 − 50) × 15/30 = 5.00
        List<InvoiceLine> lines = changes(TEN_A_SEAT, 5, new SeatStep.PlanChange(nov(16, 0), Optional.of(pro)));

        assertThat(lines).singleElement().satisfies(l -> {
            assertThat(l.amount().amount()).isEqualByComparingTo("5.00");
            assertThat(l.plan()).isEqualTo("pro");
        });
    }

    @Test
    void anEndCreditsWhatWasBilledForTheRestAndStopsLaterSteps() {
        // 5 seats, ended on Nov 21 (10 days left): −50 × 10/30 = −16.666… → −16.67; the change after the end is ignored
        List<InvoiceLine> lines = changes(TEN_A_SEAT, 5, new SeatStep.End(nov(21, 0)), to(9, nov(25, 0)));

        assertThat(lines).singleElement().satisfies(l -> {
            assertThat(l.amount().amount()).isEqualByComparingTo("-16.67");
            assertThat(l.description()).startsWith("Unused Seats (5) after the subscription ended on Nov 21");
        });
    }

    @Test
    void stepsAfterTheBilledStretchGiveNothing() {
        Instant until = nov(15, 0);
        assertThat(SeatBilling.changes(Optional.of(TEN_A_SEAT), d("5"), List.of(to(9, nov(20, 0))), until, NOV, USD, UTC))
                .isEmpty();
    }

    @Test
    void refusesAStepBeforeThePeriod() {
        assertThatThrownBy(() -> changes(TEN_A_SEAT, 5, to(9, Instant.parse("2026-10-20T00:00:00Z"))))
                .isInstanceOf(InvalidBillingException.class).hasMessageContaining("before the period");
    }

    @Test
    void refusesAPlanInAnotherCurrency() {
        assertThatThrownBy(() -> SeatBilling.base(TEN_A_SEAT, d("1"), NOV, NOV, dev.tally.core.pricing.Fixtures.EUR,
                UTC, Optional.empty())).isInstanceOf(InvalidBillingException.class).hasMessageContaining("priced in USD");
    }

    @Test
    void aHistoryGivesTheLastChangeInForceWithTiesToTheLaterRecorded() {
        Instant t = nov(10, 0);
        QuantityHistory h = new QuantityHistory(List.of(
                new QuantityChange("b", "seats", d("7"), t, t, 2),
                new QuantityChange("a", "seats", d("3"), t, t, 1),
                new QuantityChange("c", "seats", d("9"), nov(20, 0), t, 3)));

        assertThat(h.quantityAt("seats", nov(9, 23))).isEqualByComparingTo("0");
        assertThat(h.quantityAt("seats", t)).isEqualByComparingTo("7");
        assertThat(h.quantityAt("seats", nov(25, 0))).isEqualByComparingTo("9");
        assertThat(h.between("seats", t, NOV.end())).extracting(QuantityChange::id).containsExactly("c");
    }
}
