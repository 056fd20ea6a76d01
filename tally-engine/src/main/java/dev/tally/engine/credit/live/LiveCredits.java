package dev.tally.engine.credit.live;

import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingNotFoundException;
import dev.tally.engine.billing.BillingObserver;
import dev.tally.engine.billing.Subscription;
import dev.tally.engine.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live credit balances kept up to date off the ingest path. Ingest only marks a customer (the usage store's queue of
 * changed customers, which exists for usage alerts, is passed through {@link #usageChanged}: a set lookup per changed
 * customer and evaluation, nothing per event). {@link #refresh} (the engine runs it every second on its maintenance
 * thread, after the usage alerts) then recomputes, coalesced, each marked customer that holds a wallet, plus those
 * whose ledger moved (one grouped query over the ledger per run, which also sees other processes' entries), whose
 * subscriptions changed, or whose figures time alone changes (a period end, a grant becoming effective or
 * expiring), within a time budget per run; what is left waits for the next run. Each recomputed snapshot is
 * evaluated for {@code wallet.balance_low} and {@code wallet.depleted} ({@link WalletAlerts}).
 *
 * <p>Reads: {@link #wallets} and {@link #liveBalance} compute now, from the ledger and the live usage (exact, as
 * the wallets route always did); {@link #snapshot} answers from memory (what entitlement checks use) and is at most
 * one run plus the backlog old.
 */
public final class LiveCredits {
    private static final Logger LOG = LoggerFactory.getLogger(LiveCredits.class);
    /** The most a scheduled run spends recomputing, per run (one run a second: a quarter of one core at most). */
    public static final Duration RUN_BUDGET = Duration.ofMillis(250);

    private final Database db;
    private final Clock clock;
    private final LiveStore store;
    private final LiveCalculator calculator;
    private final WalletAlerts alerts;
    private final BalanceRequirements requirements;
    /** tenant \0 customer -> last computed snapshot. */
    private final ConcurrentHashMap<String, LiveSnapshot> snapshots = new ConcurrentHashMap<>();
    /** tenant \0 customer to recompute (insertion order kept by the iteration of a concurrent set is not needed). */
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    /** tenant \0 customer -> (currency -> last ledger sequence seen by the sweep): the customers holding a wallet. */
    private final ConcurrentHashMap<String, Map<String, Long>> holders = new ConcurrentHashMap<>();

    /** Live balances over a billing's ledger and usage; observes billing's subscription and customer changes. */
    public LiveCredits(Database db, Billing billing, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.store = new LiveStore(db);
        this.calculator = new LiveCalculator(billing, billing.credits());
        this.alerts = new WalletAlerts(store, billing, clock);
        this.requirements = new BalanceRequirements(store, this, clock);
        billing.observe(new BillingObserver() {
            @Override
            public void customerChanged(String tenant, dev.tally.core.billing.Customer customer) {
                snapshots.remove(key(tenant, customer.externalId()));
                mark(tenant, customer.externalId());
            }

            @Override
            public void subscriptionStored(Subscription s) {
                mark(s.tenant(), s.customer());
            }
        });
    }

    private static String key(String tenant, String customer) {
        return tenant + "\u0000" + customer;
    }

    private void mark(String tenant, String customer) {
        String k = key(tenant, customer);
        if (holders.containsKey(k) || snapshots.containsKey(k)) {
            dirty.add(k);
        }
    }

    /** Balance alerts and depletion. */
    public WalletAlerts alerts() {
        return alerts;
    }

    /** Features that require a positive live balance; the engine's entitlements pass every answer through it. */
    public BalanceRequirements requirements() {
        return requirements;
    }

    /**
     * Marks the customers whose usage changed (tenant, customer) that hold a wallet, and returns the list as it is,
     * for the usage alerts that drain the same queue.
     */
    public List<Map.Entry<String, String>> usageChanged(List<Map.Entry<String, String>> changed) {
        for (Map.Entry<String, String> tc : changed) {
            String k = key(tc.getKey(), tc.getValue());
            if (holders.containsKey(k)) {
                dirty.add(k);
            }
        }
        return changed;
    }

    // ---- reads

    /**
     * A customer's wallets with their live balances computed now (exact: every acknowledged event and every
     * committed ledger entry counts), by currency.
     *
     * @throws BillingNotFoundException for an unknown customer
     */
    public List<LiveWallet> wallets(String tenant, String customer) {
        LiveSnapshot s = calculator.compute(tenant, customer, clock.instant());
        remember(s);
        return s.wallets();
    }

    /**
     * A customer's wallet in one currency with its live balance computed now (empty when it has none): what an
     * automatic top-up compares with its threshold.
     *
     * @throws BillingNotFoundException for an unknown customer
     */
    public Optional<LiveWallet> liveBalance(String tenant, String customer, Currency currency) {
        return wallets(tenant, customer).stream().filter(w -> w.currency().equals(currency)).findFirst();
    }

    /**
     * The customer's last snapshot from memory (computed now if there is none yet): the live balances as of the
     * last refresh that reached the customer.
     *
     * @throws BillingNotFoundException for an unknown customer
     */
    LiveSnapshot snapshot(String tenant, String customer) {
        LiveSnapshot s = snapshots.get(key(tenant, customer));
        if (s != null) {
            return s;
        }
        s = calculator.compute(tenant, customer, clock.instant());
        remember(s);
        return s;
    }

    /** The balance alerts watching a customer's wallets now, with each threshold's state (computed now). */
    public List<WalletAlerts.Status> alertStatuses(String tenant, String customer) {
        LiveSnapshot s = calculator.compute(tenant, customer, clock.instant());
        remember(s);
        return alerts.statuses(s);
    }

    /** Keeps a snapshot computed for a read; it stays marked, so the next run evaluates its alerts. */
    private void remember(LiveSnapshot s) {
        String k = key(s.tenant(), s.customer());
        snapshots.put(k, s);
        if (!s.wallets().isEmpty()) {
            holders.putIfAbsent(k, Map.of());
            dirty.add(k);
        }
    }

    // ---- refresh

    /**
     * Brings marked customers up to date within {@link #RUN_BUDGET} and fires what they crossed; returns how many
     * messages it recorded. Safe to call from several threads and processes at once (a crossing is taken once).
     */
    public int refresh() {
        return refresh(RUN_BUDGET);
    }

    /** {@link #refresh} with every marked customer, whatever it costs (tests, and callers that must see it all). */
    public int refreshAll() {
        return refresh(Duration.ofDays(1));
    }

    private int refresh(Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        Instant now = clock.instant();
        sweep();
        if (db.isPostgres()) {
            requirements.reload();
            alerts.forgetSteps();
        }
        // the steps first, then the snapshots (see WalletAlerts.loadSteps)
        alerts.loadSteps();
        Set<String> changedAlerts = alerts.reload();
        if (!changedAlerts.isEmpty()) {
            for (String k : holders.keySet()) {
                if (changedAlerts.contains(k.substring(0, k.indexOf('\u0000')))) {
                    dirty.add(k);
                }
            }
        }
        for (LiveSnapshot s : snapshots.values()) {
            if (!s.validUntil().isAfter(now)) {
                dirty.add(key(s.tenant(), s.customer()));
            }
        }
        int fired = 0;
        List<String> again = new ArrayList<>();
        for (Iterator<String> it = dirty.iterator(); it.hasNext(); ) {
            if (System.nanoTime() > deadline) {
                break;
            }
            String k = it.next();
            it.remove();
            int cut = k.indexOf('\u0000');
            String tenant = k.substring(0, cut);
            String customer = k.substring(cut + 1);
            try {
                LiveSnapshot before = snapshots.get(k);
                Map<String, Long> ledger = holders.get(k);
                // the ledger did not move since the snapshot: reuse its stored wallets (usage or time moved)
                Optional<LiveSnapshot> reuse = Optional.ofNullable(before)
                        .filter(b -> ledger != null && !b.stored().isEmpty() && b.sequences().equals(ledger));
                LiveSnapshot s = calculator.compute(tenant, customer, now, reuse);
                snapshots.put(k, s);
                WalletAlerts.Evaluated e = alerts.evaluate(s, now);
                fired += e.fired();
                if (e.retry()) {
                    again.add(k);
                }
            } catch (BillingNotFoundException gone) {
                snapshots.remove(k);
                holders.remove(k);
            } catch (RuntimeException e) {
                again.add(k);
                LOG.warn("refreshing the live balance of customer {} of tenant {} failed", customer, tenant, e);
            }
        }
        dirty.addAll(again);
        return fired;
    }

    /** Marks the customers whose ledger moved since the last sweep (here or in another process). */
    private void sweep() {
        Map<String, Map<String, Long>> seen = new java.util.HashMap<>();
        for (LiveStore.WalletSequence w : store.sequences()) {
            seen.computeIfAbsent(key(w.tenant(), w.customer()), k -> new java.util.HashMap<>())
                    .put(w.currency(), w.sequence());
        }
        for (Map.Entry<String, Map<String, Long>> e : seen.entrySet()) {
            Map<String, Long> before = holders.put(e.getKey(), Map.copyOf(e.getValue()));
            if (!e.getValue().equals(before)) {
                dirty.add(e.getKey());
            }
        }
    }

    /** How many customers wait to be recomputed (metrics, tests). */
    public int backlog() {
        return dirty.size();
    }
}
