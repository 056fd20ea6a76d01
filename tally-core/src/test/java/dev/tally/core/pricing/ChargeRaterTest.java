package dev.tally.core.pricing;

import static dev.tally.core.pricing.Fixtures.JPY;
import static dev.tally.core.pricing.Fixtures.USD;
import static dev.tally.core.pricing.Fixtures.apiPercentage;
import static dev.tally.core.pricing.Fixtures.d;
import static dev.tally.core.pricing.Fixtures.threeTiers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChargeRaterTest {

    private static Rating rate(ChargePricing pricing, String quantity) {
        return ChargeRater.rate(pricing, Usage.quantity(d(quantity)), USD);
    }

    @Test
    void subtractsTheIncludedQuantityBeforeRating() {
        Rating r = rate(ChargePricing.of(new UnitPrice(d("0.01"))).withIncludedQuantity(d("1000")), "1500");

        assertThat(r.amount()).isEqualByComparingTo("5");
        assertThat(r.lines().get(0).description()).isEqualTo("Included usage (1000 included)");
        assertThat(r.lines().get(0).quantity()).isEqualByComparingTo("1000");
        assertThat(r.lines().get(1).quantity()).isEqualByComparingTo("500");
    }

    @Test
    void usageWithinTheIncludedQuantityCostsNothingForAUnitPrice() {
        assertThat(rate(ChargePricing.of(new UnitPrice(d("0.01"))).withIncludedQuantity(d("1000")), "800").amount()).isZero();
    }

    @Test
    void usageWithinTheIncludedQuantityStillPaysTheFirstTiersFlatFee() {
        ChargePricing p = ChargePricing.of(new GraduatedPrice(threeTiers())).withIncludedQuantity(d("100"));

        assertThat(rate(p, "50").amount()).isEqualByComparingTo("5");
        assertThat(rate(p, "150").amount()).isEqualByComparingTo("55");
    }

    @Test
    void addsATrueUpLineUpToTheMinimumCommitment() {
        Rating r = rate(ChargePricing.of(new UnitPrice(d("1"))).withMinimumAmount(d("100")), "30");

        assertThat(r.amount()).isEqualByComparingTo("100");
        assertThat(r.lines().get(1).description()).startsWith("Minimum commitment true-up");
        assertThat(r.lines().get(1).amount()).isEqualByComparingTo("70");
    }

    @Test
    void computesTheTrueUpAgainstRoundedLinesSoTheInvoiceShowsExactlyTheMinimum() {
        // 0.333 rounds to 0.33; the true-up is 0.67 and the invoice totals exactly 1.00
        Rating r = rate(ChargePricing.of(new UnitPrice(d("0.333"))).withMinimumAmount(d("1")), "1");

        assertThat(r.lines().get(1).amount()).isEqualByComparingTo("0.67");
        assertThat(r.roundedTotal(USD).plainString()).isEqualTo("1.00");
    }

    @Test
    void aMinimumAppliesEvenWithoutUsage() {
        Rating r = ChargeRater.rate(ChargePricing.of(apiPercentage()).withMinimumAmount(d("10")), Usage.events(List.of()), USD);

        assertThat(r.amount()).isEqualByComparingTo("10");
    }

    @Test
    void capsAtTheMaximumWithANegativeLine() {
        Rating r = rate(ChargePricing.of(new UnitPrice(d("1"))).withMaximumAmount(d("100")), "150");

        assertThat(r.amount()).isEqualByComparingTo("100");
        RatedLine cap = r.lines().get(1);
        assertThat(cap.description()).startsWith("Maximum amount cap");
        assertThat(cap.amount()).isEqualByComparingTo("-50");
    }

    @Test
    void computesTheCapAgainstRoundedLinesSoTheInvoiceNeverExceedsTheMaximum() {
        // three lines of 0.005 each round to 0.01: 0.03 rounded against a 0.02 maximum
        ChargePricing p = ChargePricing.of(new UnitPrice(d("0.005")))
                .withDimension("model", Map.of()).withMaximumAmount(d("0.02"));
        Rating r = ChargeRater.rateByDimension(p,
                Map.of("a", Usage.quantity(d("1")), "b", Usage.quantity(d("1")), "c", Usage.quantity(d("1"))), USD);

        assertThat(r.roundedTotal(USD).plainString()).isEqualTo("0.02");
    }

    @Test
    void roundsTheMinimumToTheCurrency() {
        Rating r = ChargeRater.rate(ChargePricing.of(new UnitPrice(d("1"))).withMinimumAmount(d("99.5")),
                Usage.quantity(d("0")), JPY);

        assertThat(r.roundedTotal(JPY).plainString()).isEqualTo("100");
    }

    @Test
    void ratesEachDimensionValueWithItsOwnModelOrTheDefault() {
        ChargePricing p = ChargePricing.of(new UnitPrice(d("0.01")))
                .withDimension("model", Map.of("big", new UnitPrice(d("0.03"))));

        Rating r = ChargeRater.rateByDimension(p, Map.of(
                "small", Usage.quantity(d("1000")),
                "big", Usage.quantity(d("1000")),
                "medium", Usage.quantity(d("500"))), USD);

        assertThat(r.lines()).extracting(RatedLine::description)
                .containsExactly("model=big: Usage", "model=medium: Usage", "model=small: Usage");
        assertThat(r.lines()).extracting(l -> l.amount().stripTrailingZeros().toPlainString()).containsExactly("30", "5", "10");
        assertThat(r.amount()).isEqualByComparingTo("45");
    }

    @Test
    void appliesTheMaximumToTheWholeChargeAcrossDimensionValues() {
        ChargePricing p = ChargePricing.of(new UnitPrice(d("1"))).withDimension("region", Map.of()).withMaximumAmount(d("15"));

        Rating r = ChargeRater.rateByDimension(p, Map.of("eu", Usage.quantity(d("10")), "us", Usage.quantity(d("10"))), USD);

        assertThat(r.amount()).isEqualByComparingTo("15");
    }

    @Test
    void refusesUsageWithoutDimensionForAChargePricedByDimension() {
        ChargePricing p = ChargePricing.of(new UnitPrice(d("1"))).withDimension("model", Map.of());

        assertThatThrownBy(() -> rate(p, "1")).isInstanceOf(InvalidUsageException.class);
    }

    @Test
    void namesTheDimensionValueWhoseUsageDoesNotFitItsModel() {
        ChargePricing p = ChargePricing.of(new UnitPrice(d("1"))).withDimension("model", Map.of());

        assertThatThrownBy(() -> ChargeRater.rateByDimension(p, Map.of("big", Usage.events(List.of())), USD))
                .isInstanceOf(InvalidUsageException.class)
                .extracting(e -> ((InvalidUsageException) e).field()).isEqualTo("usage.big.events");
    }

    @Test
    void refusesInconsistentModifiers() {
        ChargePricing unit = ChargePricing.of(new UnitPrice(d("1")));
        assertThatThrownBy(() -> unit.withMinimumAmount(d("10")).withMaximumAmount(d("5")))
                .isInstanceOf(InvalidPriceException.class).hasMessage("minimum_amount must not be greater than maximum_amount");
        assertThatThrownBy(() -> ChargePricing.of(apiPercentage()).withIncludedQuantity(d("1")))
                .isInstanceOf(InvalidPriceException.class).hasMessageStartingWith("included_quantity applies only to quantity models");
        assertThatThrownBy(() -> unit.withIncludedQuantity(d("1")).withDimension("model", Map.of()))
                .isInstanceOf(InvalidPriceException.class).hasMessageStartingWith("included_quantity cannot be combined");
        assertThatThrownBy(() -> unit.withDimension("model", Map.of("big", new DynamicPrice())))
                .isInstanceOf(InvalidPriceException.class)
                .extracting(e -> ((InvalidPriceException) e).field()).isEqualTo("by_dimension.big");
    }
}
