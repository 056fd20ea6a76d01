package dev.tally.core.pricing;

import static dev.tally.core.pricing.Fixtures.apiGraduated;
import static dev.tally.core.pricing.Fixtures.d;
import static dev.tally.core.pricing.Fixtures.openTier;
import static dev.tally.core.pricing.Fixtures.threeTiers;
import static dev.tally.core.pricing.Fixtures.tier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Example tests of the quantity models at their boundaries: exactly at up_to, above it, fractional, zero. */
class QuantityRatingTest {

    private static BigDecimal amount(PriceModel model, String quantity) {
        return Rater.rate(model, d(quantity)).amount();
    }

    @Nested
    class Unit {
        @Test
        void chargesEveryUnitAtTheUnitPriceExactly() {
            Rating r = Rater.rate(new UnitPrice(d("0.01")), d("250"));

            assertThat(r.amount()).isEqualByComparingTo("2.50");
            assertThat(r.lines()).singleElement().satisfies(l -> {
                assertThat(l.quantity()).isEqualByComparingTo("250");
                assertThat(l.unitPrice()).isEqualByComparingTo("0.01");
            });
        }

        @Test
        void keepsFractionalAmountsUnrounded() {
            assertThat(amount(new UnitPrice(d("0.0001")), "12.5")).isEqualByComparingTo("0.00125");
        }

        @Test
        void costsNothingAtZeroUsage() {
            assertThat(amount(new UnitPrice(d("3")), "0")).isZero();
        }
    }

    @Nested
    class Package {
        private final PackagePrice up = PackagePrice.of(d("100"), d("5"));

        @ParameterizedTest(name = "{0} units cost {1}")
        @CsvSource({"0, 0", "1, 5", "99.5, 5", "100, 5", "100.5, 10", "101, 10", "200, 10", "201, 15"})
        void chargesAStartedPackageInFullWhenRoundingUp(String units, String expected) {
            assertThat(amount(up, units)).isEqualByComparingTo(expected);
        }

        @ParameterizedTest(name = "{0} units cost {1}")
        @CsvSource({"0, 0", "99, 0", "100, 5", "199.9, 5", "200, 10"})
        void chargesOnlyCompletePackagesWhenRoundingDown(String units, String expected) {
            assertThat(amount(up.withRounding(PackageRounding.DOWN), units)).isEqualByComparingTo(expected);
        }

        @ParameterizedTest(name = "{0} units with 50 free cost {1}")
        @CsvSource({"0, 0", "50, 0", "50.1, 5", "150, 5", "150.1, 10"})
        void takesFreeUnitsOffBeforeCountingPackagesUp(String units, String expected) {
            assertThat(amount(up.withFreeUnits(d("50")), units)).isEqualByComparingTo(expected);
        }

        @ParameterizedTest(name = "{0} units with 50 free cost {1}")
        @CsvSource({"149, 0", "150, 5", "249, 5", "250, 10"})
        void takesFreeUnitsOffBeforeCountingPackagesDown(String units, String expected) {
            PackagePrice down = up.withFreeUnits(d("50")).withRounding(PackageRounding.DOWN);
            assertThat(amount(down, units)).isEqualByComparingTo(expected);
        }

        @Test
        void showsTheNumberOfPackagesAsTheLineQuantity() {
            RatedLine line = Rater.rate(up, d("250")).lines().get(0);

            assertThat(line.quantity()).isEqualByComparingTo("3");
            assertThat(line.unitPrice()).isEqualByComparingTo("5");
            assertThat(line.description()).contains("250 used");
        }
    }

    @Nested
    class Graduated {
        private final GraduatedPrice price = new GraduatedPrice(threeTiers());

        @ParameterizedTest(name = "{0} units cost {1}")
        @CsvSource({
                "0, 5",          // tier 1 flat fee, even at zero usage
                "0.5, 5.5",
                "100, 105",      // exactly at up_to: still tier 1 only
                "100.5, 115.25", // 100 + 5 + 0.5 × 0.5 + 10
                "101, 115.5",
                "200, 165",
                "250, 197.5"})   // 100 + 5 + 100 × 0.5 + 10 + 50 × 0.25 + 20
        void chargesEachTiersUnitsAtItsPriceAndTheFlatFeeOfEveryTierEntered(String units, String expected) {
            assertThat(amount(price, units)).isEqualByComparingTo(expected);
        }

        @Test
        void graduatedChargesTheFlatFeeOfEveryTierEntered() {
            Rating r = Rater.rate(price, d("250"));

            assertThat(r.lines()).extracting(RatedLine::description).containsExactly(
                    "Tier 1 (up to 100)", "Tier 1 flat fee",
                    "Tier 2 (over 100 up to 200)", "Tier 2 flat fee",
                    "Tier 3 (over 200)", "Tier 3 flat fee");
            assertThat(r.lines()).extracting(RatedLine::quantity)
                    .usingElementComparator(BigDecimal::compareTo)
                    .containsExactly(d("100"), d("1"), d("100"), d("1"), d("50"), d("1"));
        }

        @Test
        void chargesTheFirstTiersFlatFeeAtZeroUsage() {
            Rating r = Rater.rate(price, BigDecimal.ZERO);

            assertThat(r.amount()).isEqualByComparingTo("5");
            assertThat(r.lines()).extracting(RatedLine::description).containsExactly("Tier 1 (up to 100)", "Tier 1 flat fee");
        }

        @Test
        void aZeroWidthFirstTierMakesZeroUsageFree() {
            GraduatedPrice p = new GraduatedPrice(List.of(tier("0", "0", "0"), tier("100", "1", "5"), openTier("0.5", "0")));

            assertThat(amount(p, "0")).isZero();
            assertThat(amount(p, "0.5")).isEqualByComparingTo("5.5");
        }

        @Test
        void ratesTheApiExample() {
            assertThat(amount(apiGraduated(), "250")).isEqualByComparingTo("185");
        }
    }

    @Nested
    class Volume {
        private final VolumePrice price = new VolumePrice(threeTiers());

        @ParameterizedTest(name = "{0} units cost {1}")
        @CsvSource({
                "0, 5",          // falls in tier 1: its flat fee even at zero usage
                "100, 105",      // exactly at up_to: tier 1
                "100.5, 60.25",  // 100.5 × 0.5 + 10
                "101, 60.5",
                "200, 110",
                "201, 70.25"})   // 201 × 0.25 + 20
        void chargesAllUnitsAtThePriceOfTheTierTheTotalFallsIn(String units, String expected) {
            assertThat(amount(price, units)).isEqualByComparingTo(expected);
        }

        @Test
        void showsOneLineForTheUnitsAndOneForTheFlatFee() {
            Rating r = Rater.rate(price, d("150"));

            assertThat(r.lines()).extracting(RatedLine::description)
                    .containsExactly("Tier 2 (over 100 up to 200), price for all units", "Tier 2 flat fee");
        }
    }

    @Test
    void refusesANegativeQuantity() {
        assertThatThrownBy(() -> Rater.rate(new UnitPrice(d("1")), d("-1")))
                .isInstanceOf(InvalidUsageException.class)
                .hasMessage("quantity must not be negative, got -1");
    }

    @Test
    void refusesEventsForAQuantityModel() {
        assertThatThrownBy(() -> Rater.rateEvents(new UnitPrice(d("1")), List.of(d("1"))))
                .isInstanceOf(InvalidUsageException.class)
                .extracting(e -> ((InvalidUsageException) e).field()).isEqualTo("events");
    }
}
