package dev.tally.core.pricing;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/** Validation helpers for decimal fields of price definitions; every failure names the JSON field. */
final class Decimals {
    private Decimals() {
    }

    static BigDecimal nonNegative(BigDecimal value, String field) {
        if (value == null) {
            throw new InvalidPriceException(field, "is required");
        }
        if (value.signum() < 0) {
            throw new InvalidPriceException(field, "must not be negative, got " + value.toPlainString());
        }
        return value;
    }

    static BigDecimal positive(BigDecimal value, String field) {
        if (value == null) {
            throw new InvalidPriceException(field, "is required");
        }
        if (value.signum() <= 0) {
            throw new InvalidPriceException(field, "must be greater than zero, got " + value.toPlainString());
        }
        return value;
    }

    static Optional<BigDecimal> nonNegative(Optional<BigDecimal> value, String field) {
        Objects.requireNonNull(value, field);
        value.ifPresent(v -> nonNegative(v, field));
        return value;
    }

    /** {@code a} if it is less than or equal to {@code b}, else {@code b}. */
    static BigDecimal min(BigDecimal a, BigDecimal b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static BigDecimal max(BigDecimal a, BigDecimal b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Rate in percent to a factor: 1.5 becomes 0.015, exactly. */
    static BigDecimal percentToFactor(BigDecimal percent) {
        return percent.movePointLeft(2);
    }

    static String plain(BigDecimal value) {
        return value.toPlainString();
    }
}
