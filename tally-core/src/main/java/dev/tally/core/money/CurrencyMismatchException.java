package dev.tally.core.money;

import java.util.Currency;

/**
 * Thrown when two amounts in different currencies are combined. Tally never converts currencies
 * implicitly, so adding USD to EUR is always a programming error, reported with both currency codes.
 */
public final class CurrencyMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    CurrencyMismatchException(Currency expected, Currency actual) {
        super("currency mismatch: expected " + expected.getCurrencyCode() + " but got " + actual.getCurrencyCode());
    }
}
