package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * {@code package}: the first {@code freeUnits} are free; the remaining units are counted in packages
 * of {@code packageSize}, a partial package rounded {@link PackageRounding#UP up} or
 * {@link PackageRounding#DOWN down}, and each package costs {@code packagePrice}. Guarantees a package
 * size greater than zero and non-negative price and free units.
 */
public record PackagePrice(BigDecimal packageSize, BigDecimal packagePrice, BigDecimal freeUnits,
        PackageRounding rounding) implements PriceModel {

    /** Validates: package size greater than zero; price and free units not negative; rounding present. */
    public PackagePrice {
        Decimals.positive(packageSize, "package_size");
        Decimals.nonNegative(packagePrice, "package_price");
        Decimals.nonNegative(freeUnits, "free_units");
        if (rounding == null) {
            throw new InvalidPriceException("rounding", "is required");
        }
    }

    /** A package price without free units, partial packages rounded up. */
    public static PackagePrice of(BigDecimal packageSize, BigDecimal packagePrice) {
        return new PackagePrice(packageSize, packagePrice, BigDecimal.ZERO, PackageRounding.UP);
    }

    /** The same price with another rounding. */
    public PackagePrice withRounding(PackageRounding newRounding) {
        return new PackagePrice(packageSize, packagePrice, freeUnits, Objects.requireNonNull(newRounding));
    }

    /** The same price with other free units. */
    public PackagePrice withFreeUnits(BigDecimal newFreeUnits) {
        return new PackagePrice(packageSize, packagePrice, newFreeUnits, rounding);
    }

    @Override
    public String modelName() {
        return "package";
    }

    @Override
    public boolean ratedPerEvent() {
        return false;
    }
}
