package dev.tally.engine.credit.live;

import dev.tally.core.billing.AlertRule;
import dev.tally.core.validation.ValidationException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A {@code wallet.balance_low} alert: whom it watches (one customer, or every customer whose live subscription is on
 * a plan), which wallet (one currency, or every wallet of the customer) and the amounts whose crossing it announces.
 * A threshold fires when the live balance falls below it and is re-armed when the live balance is back at or above
 * it. Guarantees: 1 to {@value AlertRule#MAX_THRESHOLDS} distinct positive thresholds, ascending, without trailing
 * zeros; with a currency, each threshold is at its minor unit.
 */
public record WalletAlert(String id, String tenant, AlertRule.Scope scope, String scopeId, Optional<Currency> currency,
        List<BigDecimal> thresholds, Optional<String> name, Instant createdAt) {

    /** The metric's API spelling in {@code POST /v1/alerts}. */
    public static final String METRIC = "balance";

    /** Validates (see the type's guarantees); thresholds are normalized and sorted. */
    public WalletAlert {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(scopeId, "scopeId");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(createdAt, "createdAt");
        if (thresholds == null || thresholds.isEmpty()) {
            throw new ValidationException("thresholds", "must list at least one amount");
        }
        if (thresholds.size() > AlertRule.MAX_THRESHOLDS) {
            throw new ValidationException("thresholds", "must list at most " + AlertRule.MAX_THRESHOLDS + " amounts");
        }
        TreeSet<BigDecimal> sorted = new TreeSet<>();
        for (BigDecimal t : thresholds) {
            if (t == null || t.signum() <= 0) {
                throw new ValidationException("thresholds", "must be positive amounts");
            }
            if (currency.isPresent() && t.stripTrailingZeros().scale() > currency.get().getDefaultFractionDigits()) {
                throw new ValidationException("thresholds", "must be amounts in the minor unit of "
                        + currency.get().getCurrencyCode());
            }
            BigDecimal n = t.stripTrailingZeros();
            sorted.add(n.scale() < 0 ? n.setScale(0) : n);
        }
        if (sorted.size() != thresholds.size()) {
            throw new ValidationException("thresholds", "must not repeat an amount");
        }
        thresholds = List.copyOf(sorted);
    }

    /** Whether it watches this customer, whose live subscriptions are on {@code plans}. */
    public boolean watches(String customer, java.util.Set<String> plans) {
        return scope == AlertRule.Scope.CUSTOMER ? scopeId.equals(customer) : plans.contains(scopeId);
    }

    /** Whether it watches the wallet in this currency. */
    public boolean watches(Currency c) {
        return currency.map(c::equals).orElse(true);
    }
}
