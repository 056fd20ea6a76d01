package dev.tally.engine.credit.live;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.Objects;
import java.util.Optional;

/**
 * One wallet of a customer at {@code asOf}: its {@code balance} (the sum of its ledger entries, i.e. as the last
 * invoice left it plus grants and adjustments since), its {@code usableBalance} (what effective, unexpired grants
 * hold), its {@code liveBalance} (what of that would be left if each live subscription's current period were
 * invoiced now, drawn by the invoice rules), the {@code shortfall} those estimated invoices would leave due beyond
 * the credits, the period's {@code usageCharges} so far, and the burn rate and runway derived from them
 * ({@link BurnRate}). Guarantees: every amount in the wallet's currency; live balance and shortfall never negative.
 */
public record LiveWallet(String customer, Currency currency, Money balance, Money usableBalance, Money liveBalance,
        Money shortfall, Money usageCharges, Optional<Instant> periodStart, Optional<Money> burnPerDay,
        Optional<BigDecimal> runwayDays, Optional<Instant> runsOutAt, Instant asOf) {

    /** Validates (see the type's guarantees). */
    public LiveWallet {
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(currency, "currency");
        for (Money m : new Money[] {balance, usableBalance, liveBalance, shortfall, usageCharges}) {
            Objects.requireNonNull(m, "amount");
            if (!m.currency().equals(currency)) {
                throw new IllegalArgumentException("every amount of a wallet is in its currency");
            }
        }
        if (liveBalance.isNegative() || shortfall.isNegative()) {
            throw new IllegalArgumentException("a live balance and a shortfall are never negative");
        }
        Objects.requireNonNull(periodStart, "periodStart");
        Objects.requireNonNull(burnPerDay, "burnPerDay");
        Objects.requireNonNull(runwayDays, "runwayDays");
        Objects.requireNonNull(runsOutAt, "runsOutAt");
        Objects.requireNonNull(asOf, "asOf");
    }

    /** Whether the live balance is used up: nothing left for the usage still to come. */
    public boolean depleted() {
        return liveBalance.isZero();
    }
}
