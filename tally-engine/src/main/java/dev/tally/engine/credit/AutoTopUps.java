package dev.tally.engine.credit;

import dev.tally.core.ledger.Funding;
import dev.tally.core.money.Money;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Automatic top-ups of wallets: when a wallet's live balance is below its threshold, one purchase
 * ({@link CreditPurchases}: a paid grant and the one-off invoice of its price) per crossing. A check holds the
 * top-up's row lock (PostgreSQL: {@code SELECT ... FOR UPDATE}; SQLite: one writer) while it computes the live
 * balance and decides, so two processes checking at once buy once; it fires only while armed, disarms when it fires,
 * and re-arms when it sees the balance at or above the threshold again. Each purchase carries the idempotency key
 * {@code auto-top-up:<customer>:<currency>:<n>} (n = the how-many-th top-up), unique in the ledger. Checked by every
 * billing run (after its invoices and recurring grants) and when the top-up is set.
 */
public final class AutoTopUps {
    private final AutoTopUpStore store;
    private final Credits credits;
    private final CreditPurchases purchases;
    private final LiveEstimates estimates;
    private final Clock clock;

    public AutoTopUps(Credits credits, dev.tally.engine.store.Database db, CreditPurchases purchases,
            LiveEstimates estimates, Clock clock) {
        this.store = new AutoTopUpStore(db);
        this.credits = credits;
        this.purchases = purchases;
        this.estimates = estimates;
        this.clock = clock;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    /** Sets (or replaces, keeping its state) a wallet's top-up, then checks it at once. */
    public AutoTopUp set(String tenant, AutoTopUp t) {
        store.upsert(tenant, t, now());
        check(tenant, t.customer(), t.currency());
        return get(tenant, t.customer(), t.currency()).orElseThrow();
    }

    public Optional<AutoTopUp> get(String tenant, String customer, Currency currency) {
        return store.get(tenant, customer, currency);
    }

    /** Removes a wallet's top-up; false if it had none. */
    public boolean delete(String tenant, String customer, Currency currency) {
        return store.delete(tenant, customer, currency);
    }

    /** Checks every top-up of a tenant; returns the purchases made. */
    public List<CreditPurchases.Purchase> checkAll(String tenant) {
        List<CreditPurchases.Purchase> out = new ArrayList<>();
        for (String[] w : store.all(tenant)) {
            check(tenant, w[0], Currency.getInstance(w[1])).ifPresent(out::add);
        }
        return out;
    }

    /** Checks one wallet's top-up: buys one if armed and the live balance is below the threshold. */
    public Optional<CreditPurchases.Purchase> check(String tenant, String customer, Currency currency) {
        if (store.get(tenant, customer, currency).isEmpty()) {
            return Optional.empty();
        }
        return store.db().inTransaction(c -> {
            Optional<AutoTopUp> locked = store.lock(c, tenant, customer, currency);
            if (locked.isEmpty()) {
                return Optional.<CreditPurchases.Purchase>empty();
            }
            AutoTopUp t = locked.get();
            Instant now = now();
            Money live = credits.wallet(tenant, customer, currency).liveBalance(now, estimates.of(tenant, customer));
            boolean below = live.compareTo(t.threshold()) < 0;
            if (!below) {
                if (!t.armed()) {
                    store.setState(c, tenant, customer, currency, true, t.fired(), now);
                }
                return Optional.<CreditPurchases.Purchase>empty();
            }
            if (!t.armed()) {
                return Optional.<CreditPurchases.Purchase>empty();
            }
            long n = t.fired() + 1;
            CreditPurchases.Purchase p = purchases.buy(tenant, customer, new Credits.GrantRequest(t.amount(),
                    t.priority(), Optional.empty(), Optional.empty(), Set.of(), Funding.PAID, Optional.of(t.price()),
                    t.reason()), "auto_top_up", Optional.of("auto-top-up:" + customer + ":" + currency.getCurrencyCode()
                    + ":" + n));
            store.setState(c, tenant, customer, currency, false, n, now);
            return Optional.of(p);
        });
    }
}
