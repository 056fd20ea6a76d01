package dev.tally.core.analytics;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Rates the operator gives for converting amounts to one reporting currency: {@code rates.get(X)} is how many units
 * of the reporting currency one unit of {@code X} is worth. Never fetched. Conversion is an exact multiplication (no
 * rounding), so converted movements still add up exactly. Guarantees: every rate positive; the reporting currency
 * converts to itself at 1.
 */
public record ExchangeRates(Currency reporting, Map<Currency, BigDecimal> rates) {
    public ExchangeRates {
        Objects.requireNonNull(reporting, "reporting");
        Map<Currency, BigDecimal> copy = new TreeMap<>((a, b) -> a.getCurrencyCode().compareTo(b.getCurrencyCode()));
        for (var e : rates.entrySet()) {
            if (e.getValue().signum() <= 0) {
                throw new IllegalArgumentException("rate for " + e.getKey() + " must be positive");
            }
            copy.put(e.getKey(), e.getValue());
        }
        copy.put(reporting, BigDecimal.ONE);
        rates = java.util.Collections.unmodifiableMap(copy);
    }

    /** {@code amount} of {@code from} in the reporting currency. */
    public BigDecimal convert(BigDecimal amount, Currency from) {
        BigDecimal rate = rates.get(from);
        if (rate == null) {
            throw new MissingRateException(from);
        }
        return amount.multiply(rate);
    }

    /** No rate was given for a currency that occurs in the figures. */
    public static final class MissingRateException extends RuntimeException {
        private final Currency currency;

        MissingRateException(Currency currency) {
            super("no exchange rate given for " + currency.getCurrencyCode());
            this.currency = currency;
        }

        public Currency currency() {
            return currency;
        }
    }
}
