package dev.tally.core.pricing;

import static dev.tally.core.pricing.Fixtures.d;
import static dev.tally.core.pricing.Fixtures.openTier;
import static dev.tally.core.pricing.Fixtures.tier;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PriceModelValidationTest {

    @Test
    void tiersMustNotBeEmpty() {
        assertThatThrownBy(() -> new GraduatedPrice(List.of()))
                .isInstanceOf(InvalidPriceException.class).hasMessage("tiers must contain at least one tier");
    }

    @Test
    void upToMustStrictlyIncrease() {
        assertThatThrownBy(() -> new VolumePrice(List.of(tier("100", "1", "0"), tier("100", "1", "0"), openTier("1", "0"))))
                .isInstanceOf(InvalidPriceException.class)
                .hasMessage("tiers[1].up_to must be greater than tiers[0].up_to");
    }

    @Test
    void onlyTheLastTierMayBeOpen() {
        assertThatThrownBy(() -> new GraduatedPrice(List.of(openTier("1", "0"), openTier("1", "0"))))
                .isInstanceOf(InvalidPriceException.class)
                .hasMessageStartingWith("tiers[0].up_to must be set");
    }

    @Test
    void theLastTierMustBeOpen() {
        assertThatThrownBy(() -> new GraduatedPrice(List.of(tier("100", "1", "0"))))
                .isInstanceOf(InvalidPriceException.class)
                .hasMessageStartingWith("tiers[0].up_to must be null");
    }

    @Test
    void pricesMustNotBeNegative() {
        assertThatThrownBy(() -> new UnitPrice(d("-0.01")))
                .isInstanceOf(InvalidPriceException.class).hasMessage("unit_price must not be negative, got -0.01");
        assertThatThrownBy(() -> openTier("1", "-5"))
                .isInstanceOf(InvalidPriceException.class).hasMessageStartingWith("flat_fee must not be negative");
    }

    @Test
    void packageSizeMustBeGreaterThanZero() {
        assertThatThrownBy(() -> PackagePrice.of(d("0"), d("5")))
                .isInstanceOf(InvalidPriceException.class).hasMessage("package_size must be greater than zero, got 0");
    }

    @Test
    void percentageBoundsMustBeOrdered() {
        assertThatThrownBy(() -> new PercentagePrice(d("1"), d("0"), 0, d("0"), Optional.of(d("2")), Optional.of(d("1"))))
                .isInstanceOf(InvalidPriceException.class).hasMessage("min_per_event must not be greater than max_per_event");
        assertThatThrownBy(() -> new PercentagePrice(d("1"), d("0"), -1, d("0"), Optional.empty(), Optional.empty()))
                .isInstanceOf(InvalidPriceException.class).hasMessageStartingWith("free_events must not be negative");
    }
}
