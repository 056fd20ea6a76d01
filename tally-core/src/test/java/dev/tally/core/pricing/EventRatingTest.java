package dev.tally.core.pricing;

import static dev.tally.core.pricing.Fixtures.apiGraduatedPercentage;
import static dev.tally.core.pricing.Fixtures.apiPercentage;
import static dev.tally.core.pricing.Fixtures.d;
import static dev.tally.core.pricing.Fixtures.ds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Example tests of the per-event models: percentage, graduated_percentage, dynamic. */
class EventRatingTest {

    private static PercentagePrice percentage(String rate, String fixedFee, int freeEvents, String freeAmount) {
        return new PercentagePrice(d(rate), d(fixedFee), freeEvents, d(freeAmount), Optional.empty(), Optional.empty());
    }

    @Nested
    class Percentage {
        @Test
        void chargesRateOfEachValuePlusFixedFeeClampedToTheBoundsAfterTheFreeEvents() {
            // event 1 free; 10 -> 0.25 raised to 0.50; 100 -> 1.60; 2000 -> 30.10 capped at 20
            Rating r = Rater.rateEvents(apiPercentage(), ds("100", "10", "100", "2000"));

            assertThat(r.amount()).isEqualByComparingTo("22.10");
            assertThat(r.lines()).extracting(RatedLine::description).containsExactly(
                    "Free events", "1.5% of the value of 1 event", "Fixed fee per event",
                    "Minimum fee per event", "Maximum fee per event");
        }

        @Test
        void appliesTheMinimumToAnEventWhoseFeeIsBelowIt() {
            assertThat(Rater.rateEvents(apiPercentage(), ds("0", "1")).amount()).isEqualByComparingTo("0.50");
        }

        @Test
        void aFeeExactlyAtABoundIsChargedAsComputedAndOneBeyondIsClamped() {
            PercentagePrice p = new PercentagePrice(d("2"), d("0"), 0, d("0"), Optional.of(d("0.50")), Optional.of(d("20")));

            assertThat(Rater.rateEvents(p, ds("25", "1000")).lines()).extracting(RatedLine::description)
                    .containsExactly("2% of the value of 2 events");
            assertThat(Rater.rateEvents(p, ds("24.99", "1000.01")).lines()).extracting(RatedLine::description)
                    .containsExactly("Minimum fee per event", "Maximum fee per event");
            assertThat(Rater.rateEvents(p, ds("24.99", "1000.01")).amount()).isEqualByComparingTo("20.50");
        }

        @Test
        void consumesTheFreeAmountInEventOrderAndChargesThePartAboveIt() {
            // 100 and 30 fit in 150; 50 is charged on 30; 200 in full: (30 + 200) × 2% = 4.60
            Rating r = Rater.rateEvents(percentage("2", "0", 0, "150"), ds("100", "30", "50", "200"));

            assertThat(r.amount()).isEqualByComparingTo("4.60");
            assertThat(r.lines().get(0).description()).isEqualTo("Free amount (value not charged)");
            assertThat(r.lines().get(0).quantity()).isEqualByComparingTo("150");
        }

        @Test
        void withBothAllowancesTheFreeAmountEndsTheAllowanceWhenReachedBeforeTheFreeEvents() {
            // free units min(1000, running total after 5 events = 1500) = 1000; 300, 600, 900 stay within: 3 free
            // events; (1800 - 1000) x 2 % + 3 x 0.10 = 16.00 + 0.30
            Rating r = Rater.rateEvents(percentage("2", "0.10", 5, "1000"), ds("300", "300", "300", "300", "300", "300"));

            assertThat(r.amount()).isEqualByComparingTo("16.30");
            assertThat(r.lines()).extracting(RatedLine::description).containsExactly("Free events",
                    "Free amount (value not charged)", "2% of the value of 3 events", "Fixed fee per event");
            assertThat(r.lines().get(0).quantity()).isEqualByComparingTo("3");
            assertThat(r.lines().get(1).quantity()).isEqualByComparingTo("1000");
            assertThat(r.lines().get(2).quantity()).isEqualByComparingTo("800");
            assertThat(r.lines().get(3).quantity()).isEqualByComparingTo("3");
        }

        @Test
        void withBothAllowancesTheFreeEventsEndTheAllowanceWhenReachedBeforeTheFreeAmount() {
            // free units min(1000, running total after 2 events = 600) = 600; 2 free events, 4 paid:
            // (1800 - 600) x 2 % + 4 x 0.10 = 24.00 + 0.40
            Rating r = Rater.rateEvents(percentage("2", "0.10", 2, "1000"), ds("300", "300", "300", "300", "300", "300"));

            assertThat(r.amount()).isEqualByComparingTo("24.40");
            assertThat(r.lines().get(0).quantity()).isEqualByComparingTo("2");
            assertThat(r.lines().get(1).quantity()).isEqualByComparingTo("600");
            assertThat(r.lines().get(2).description()).isEqualTo("2% of the value of 4 events");
        }

        @Test
        void withBothAllowancesTheEventThatCrossesTheFreeUnitsIsChargedOnThePartAbove() {
            // free units min(50, 1000) = 50: the first event (1000) already crosses them and is charged on 950;
            // the two 40s are charged in full: (950 + 40 + 40) x 10 % = 103
            assertThat(Rater.rateEvents(percentage("10", "0", 1, "50"), ds("1000", "40", "40")).amount())
                    .isEqualByComparingTo("103");
        }

        @Test
        void withFreeEventsOnlyTheFirstEventsAreFreeWhateverTheirValue() {
            // 1000 and 5 free; 40 at 10 % + 0.30
            assertThat(Rater.rateEvents(percentage("10", "0.30", 2, "0"), ds("1000", "5", "40")).amount())
                    .isEqualByComparingTo("4.30");
        }

        @Test
        void freeEventsNeverExceedTheFreeEventsEvenWhenLaterEventsAddNothing() {
            // free units min(10, 0) = 0 after the one free event; the zero-valued events after it pay the fixed fee
            Rating r = Rater.rateEvents(percentage("1", "0.25", 1, "10"), ds("0", "0", "0"));

            assertThat(r.amount()).isEqualByComparingTo("0.50");
            assertThat(r.lines().get(0).description()).isEqualTo("Free events");
            assertThat(r.lines().get(0).quantity()).isEqualByComparingTo("1");
        }

        @Test
        void waivesTheFixedFeeOnlyForEventsCoveredEntirely() {
            // 60 is free; 60 is charged on 20: 0.20 + 0.30
            assertThat(Rater.rateEvents(percentage("1", "0.30", 0, "100"), ds("60", "60")).amount())
                    .isEqualByComparingTo("0.50");
        }

        @Test
        void costsNothingWithoutEvents() {
            Rating r = Rater.rateEvents(apiPercentage(), List.of());

            assertThat(r.amount()).isZero();
            assertThat(r.lines()).isEmpty();
        }

        @Test
        void refusesANegativeEventValueNamingTheEvent() {
            assertThatThrownBy(() -> Rater.rateEvents(apiPercentage(), ds("1", "-2")))
                    .isInstanceOf(InvalidUsageException.class)
                    .hasMessage("events[1].value must not be negative, got -2");
        }

        @Test
        void refusesAQuantity() {
            assertThatThrownBy(() -> Rater.rate(apiPercentage(), d("10")))
                    .isInstanceOf(InvalidUsageException.class).hasMessageContaining("rated per event");
        }
    }

    @Nested
    class GraduatedPercentage {
        @Test
        void chargesEachTiersRateOnTheCumulativeValueAndTheFlatFeeOfEveryTierEntered() {
            // Lago's documented example: 500 -> 205; then 550 more: cumulative 1050 -> 511 in all
            assertThat(Rater.rateEvents(apiGraduatedPercentage(), ds("500")).amount()).isEqualByComparingTo("205");
            assertThat(Rater.rateEvents(apiGraduatedPercentage(), ds("500", "550")).amount()).isEqualByComparingTo("511");
        }

        @Test
        void exactlyAtUpToStaysInTheTier() {
            assertThat(Rater.rateEvents(apiGraduatedPercentage(), ds("1000")).amount()).isEqualByComparingTo("210");
            assertThat(Rater.rateEvents(apiGraduatedPercentage(), ds("1000.5")).amount()).isEqualByComparingTo("510.01");
        }

        @Test
        void chargesTheFirstTiersFlatFeeWithoutEvents() {
            assertThat(Rater.rateEvents(apiGraduatedPercentage(), List.of()).amount()).isEqualByComparingTo("200");
        }
    }

    @Nested
    class Dynamic {
        @Test
        void chargesEachEventsOwnValue() {
            Rating r = Rater.rateEvents(new DynamicPrice(), ds("1.25", "3.333", "0"));

            assertThat(r.amount()).isEqualByComparingTo("4.583");
            assertThat(r.lines()).singleElement().satisfies(l -> {
                assertThat(l.description()).isEqualTo("3 events at their own price");
                assertThat(l.unitPrice()).isEqualByComparingTo(BigDecimal.ONE);
            });
        }

        @Test
        void costsNothingWithoutEvents() {
            assertThat(Rater.rateEvents(new DynamicPrice(), List.of()).lines()).isEmpty();
        }
    }
}
