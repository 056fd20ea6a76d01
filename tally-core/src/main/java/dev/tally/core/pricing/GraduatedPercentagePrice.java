package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * {@code graduated_percentage}: the events' values are added up, and the cumulative value is charged
 * like a graduated price whose unit price is {@code rate / 100}: each tier's rate on the part of the
 * cumulative value in that tier, plus the flat fee of every tier entered (tier 1 always, even with no
 * events). Guarantees valid tiers, as for {@link GraduatedPrice}.
 */
public record GraduatedPercentagePrice(List<PercentTier> tiers) implements PriceModel {

    /** Validates the tiers; the list is copied and unmodifiable. */
    public GraduatedPercentagePrice {
        if (tiers == null) {
            throw new InvalidPriceException("tiers", "is required");
        }
        tiers = List.copyOf(tiers);
        Tiers.validate(tiers.stream().map(PercentTier::upTo).toList());
    }

    List<Optional<BigDecimal>> upTos() {
        return tiers.stream().map(PercentTier::upTo).toList();
    }

    @Override
    public String modelName() {
        return "graduated_percentage";
    }

    @Override
    public boolean ratedPerEvent() {
        return true;
    }
}
