package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * {@code volume}: all units are priced at the unit price of the one tier the total quantity falls in
 * (the first tier whose {@code up_to} is at or above it), plus that tier's flat fee. Zero usage falls in
 * tier 1, so its flat fee is charged even at zero usage. Guarantees valid tiers: at least one; {@code up_to} strictly increasing;
 * only the last tier open-ended, and the last tier open-ended; no negative bound or price.
 * With a {@code blockSize} N (Kill Bill's tiered blocks) the period quantity Σ is first rounded up to whole
 * blocks, {@code ceil(Σ / N)}, and the tiers' bounds and unit prices are in blocks; N is positive.
 */
public record VolumePrice(List<Tier> tiers, Optional<BigDecimal> blockSize) implements PriceModel {

    /** Validates the tiers (see the type's guarantees) and a block size (positive); the list is copied. */
    public VolumePrice {
        if (tiers == null) {
            throw new InvalidPriceException("tiers", "is required");
        }
        tiers = List.copyOf(tiers);
        Tiers.validate(tiers.stream().map(Tier::upTo).toList());
        blockSize = Tiers.validBlockSize(blockSize);
    }

    /** Tiers over units (no blocks). */
    public VolumePrice(List<Tier> tiers) {
        this(tiers, Optional.empty());
    }

    /** The tiers' bounds, in order. */
    List<Optional<BigDecimal>> upTos() {
        return tiers.stream().map(Tier::upTo).toList();
    }

    @Override
    public String modelName() {
        return "volume";
    }

    @Override
    public boolean ratedPerEvent() {
        return false;
    }
}
