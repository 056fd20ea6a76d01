package dev.tally.engine.credit.live;

import dev.tally.core.billing.Customer;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.GrantBalance;
import dev.tally.core.ledger.InvoiceCredits;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.ChargeEstimate;
import dev.tally.engine.billing.UsageEstimate;
import dev.tally.engine.credit.Credits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.Currency;

/**
 * Computes a customer's live wallets: the stored wallets, and each live subscription's current period priced as
 * {@code GET /v1/customers/{id}/usage} estimates it less what is already on an invoice (an in-advance fee, whose
 * invoice drew its credits when it was finalized), drawn from the usable grants by the invoice rules
 * ({@link Wallet#liveBalance}).
 */
final class LiveCalculator {
    private final Billing billing;
    private final Credits credits;

    LiveCalculator(Billing billing, Credits credits) {
        this.billing = billing;
        this.credits = credits;
    }

    LiveSnapshot compute(String tenant, String customer, Instant now) {
        return compute(tenant, customer, now, java.util.Optional.empty());
    }

    /**
     * Computes, reusing the stored wallets of {@code previous} when its ledger sequences are still {@code current}
     * (only usage, subscriptions or time moved): the ledger is then not read again.
     */
    LiveSnapshot compute(String tenant, String customer, Instant now, java.util.Optional<LiveSnapshot> previous) {
        Currency currency;
        List<Wallet> wallets;
        if (previous.isPresent()) {
            currency = previous.get().customerCurrency();
            wallets = previous.get().stored();
        } else {
            Customer c = billing.customer(tenant, customer);
            currency = c.currency();
            wallets = credits.wallets(tenant, customer);
        }
        List<UsageEstimate> usage = wallets.isEmpty() ? List.of() : billing.currentUsage(tenant, customer);
        List<InvoiceCredits.Estimate> estimates = new ArrayList<>();
        Set<String> plans = new TreeSet<>();
        Instant validUntil = Instant.MAX;
        for (UsageEstimate e : usage) {
            estimates.add(e.stillToInvoice());
            plans.add(e.plan());
            validUntil = min(validUntil, e.period().end());
        }
        List<LiveWallet> out = new ArrayList<>();
        Map<String, Long> sequences = new HashMap<>();
        for (Wallet w : wallets) {
            sequences.put(w.currency().getCurrencyCode(), w.nextSequence() - 1);
            for (Grant g : w.grants()) {
                if (g.effectiveFrom().isAfter(now)) {
                    validUntil = min(validUntil, g.effectiveFrom());
                }
                Optional<Instant> x = g.expiresAt().filter(t -> t.isAfter(now));
                if (x.isPresent()) {
                    validUntil = min(validUntil, x.get());
                }
            }
            out.add(wallet(customer, w, usage, estimates, now));
        }
        return new LiveSnapshot(tenant, customer, currency, out, wallets, sequences, plans, validUntil, now);
    }

    private static LiveWallet wallet(String customer, Wallet w, List<UsageEstimate> usage,
            List<InvoiceCredits.Estimate> estimates, Instant now) {
        var currency = w.currency();
        Money usable = Money.sum(currency, w.usableAt(now).stream().map(GrantBalance::balance).toList());
        Money live = w.liveBalance(now, estimates);
        // what the estimated invoices would leave due: their positive totals less the credits they would draw
        Money positive = Money.sum(currency, estimates.stream().map(InvoiceCredits.Estimate::total)
                .filter(t -> t.currency().equals(currency) && t.amount().signum() > 0).toList());
        Money shortfall = positive.minus(usable.minus(live));
        if (shortfall.isNegative()) {
            shortfall = Money.zero(currency);
        }
        Money usageCharges = Money.zero(currency);
        Optional<Instant> periodStart = Optional.empty();
        for (UsageEstimate e : usage) {
            if (!e.estimate().currency().equals(currency)) {
                continue;
            }
            for (ChargeEstimate ch : e.charges()) {
                if (ch.meter().isPresent()) {
                    usageCharges = usageCharges.plus(new Money(ch.amount(), currency));
                }
            }
            Instant start = e.period().start();
            periodStart = Optional.of(periodStart.filter(p -> p.isBefore(start)).orElse(start));
        }
        Money used = usageCharges;
        BurnRate.Figures burn = periodStart.map(p -> BurnRate.of(used, live, p, now))
                .orElse(new BurnRate.Figures(Optional.empty(), Optional.empty(), Optional.empty()));
        return new LiveWallet(customer, currency, w.balance(), usable, live, shortfall, usageCharges, periodStart,
                burn.perDay(), burn.runwayDays(), burn.runsOutAt(), now);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
