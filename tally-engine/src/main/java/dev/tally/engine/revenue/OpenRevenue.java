package dev.tally.engine.revenue;

import dev.tally.core.billing.Customer;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingObserver;
import dev.tally.engine.billing.Subscription;
import dev.tally.engine.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The revenue overview of a tenant ({@code GET /v1/stats}) answered from memory, at a cost independent of the number
 * of customers and invoices.
 *
 * <p><b>Open periods.</b> Per tenant and currency, the sum of every customer's current-period estimate (each live
 * subscription's current period priced as {@link Billing#currentUsage} prices it) and the number of such periods.
 * Ingest only marks customers: the usage store's queue of changed customers, drained once a second for the usage
 * alerts and the live balances, is passed through {@link #usageChanged} (a hash lookup per changed customer, nothing
 * per event). Billing's observer marks customers created or changed and those whose subscriptions were stored
 * (subscribed, plan changed, cancelled), and the invoice sweep those whose invoices changed; on PostgreSQL the change counter every such transaction bumps
 * ({@code entitlement_changes}) is read once per run, so other processes' changes are marked too; time marks a
 * customer at its next period end, phase start, subscription start or end. {@link #refresh} (the engine runs it
 * every second on its maintenance thread) recomputes the marked customers, coalesced, within {@link #RUN_BUDGET},
 * then spends at most {@link #RESWEEP_BUDGET} on a round-robin over every customer (which reaches what no mark
 * reports: a seat count, a coupon, a price override, a commitment or a tax setting changed). The tenant's sum moves
 * by each recomputed customer's difference, in exact decimals.
 *
 * <p><b>Invoices.</b> Per tenant and currency, the drafts and the invoices finalized or paid, by finalization time,
 * kept from the invoice rows without reading their bodies ({@link InvoiceSums}): each refresh sweeps the rows changed
 * since the last one, whoever wrote them.
 *
 * <p>After {@link #refreshAll} the figures equal the per-customer computation exactly (every marked customer
 * recomputed, every changed invoice applied).
 */
public final class OpenRevenue {
    /** The most a scheduled run spends recomputing marked customers (one run a second: a quarter of a core). */
    public static final Duration RUN_BUDGET = Duration.ofMillis(250);
    /** The most a scheduled run spends recomputing unmarked customers, round-robin. */
    public static final Duration RESWEEP_BUDGET = Duration.ofMillis(20);

    private final RevenueStore store;
    private final OpenEstimates estimates;
    private final InvoiceSums invoices;
    /** tenant -> the last customer change generation seen (PostgreSQL). */
    private final Map<String, Long> generations = new ConcurrentHashMap<>();
    private final Object refreshing = new Object();
    private final Billing billing;

    /** Over a billing's customers, subscriptions and invoices; observes billing's changes. */
    public OpenRevenue(Database db, Billing billing, Clock clock) {
        this.store = new RevenueStore(db);
        this.estimates = new OpenEstimates(billing, clock);
        this.invoices = new InvoiceSums(store, clock);
        this.billing = billing;
        billing.observe(new BillingObserver() {
            @Override
            public void customerCreated(String tenant, Customer customer) {
                estimates.mark(tenant, customer.externalId());
            }

            @Override
            public void customerChanged(String tenant, Customer customer) {
                estimates.mark(tenant, customer.externalId());
            }

            @Override
            public void subscriptionStored(Subscription s) {
                estimates.mark(s.tenant(), s.customer());
            }
        });
    }

    /**
     * Marks every customer of these tenants and asks for their invoice books (at start: both are derived state,
     * computed by the refresh runs that follow; until then the customers are counted in {@code pendingCustomers}).
     */
    public void preload(List<String> tenants) {
        if (store.shared()) {
            generations.putAll(store.generations());
        }
        invoices.preload(tenants);
        for (String tenant : tenants) {
            for (Customer c : billing.customers(tenant)) {
                estimates.mark(tenant, c.externalId());
            }
        }
    }

    /**
     * Marks the customers whose usage changed (tenant, customer) that have an open period, and returns the list as it
     * is, for the next consumer of the same queue.
     */
    public List<Map.Entry<String, String>> usageChanged(List<Map.Entry<String, String>> changed) {
        for (Map.Entry<String, String> tc : changed) {
            estimates.usageChanged(tc.getKey(), tc.getValue());
        }
        return changed;
    }

    /**
     * A tenant's revenue per currency: invoiced (finalized or paid, finalized in [from, to)), in draft, and the
     * estimate of every open period, with how fresh the estimates are. Answered from memory (the invoice sums of a
     * tenant created since the start are loaded on its first question).
     */
    public RevenueOverview overview(String tenant, Instant from, Instant to) {
        InvoiceSums.Sums sums = invoices.sums(tenant, from, to);
        Map<String, Figure> open = estimates.sums(tenant);
        Set<String> currencies = new TreeSet<>(sums.currencies());
        currencies.addAll(open.keySet());
        List<CurrencyRevenue> out = new java.util.ArrayList<>();
        for (String c : currencies) {
            Figure i = sums.invoiced().getOrDefault(c, Figure.NONE);
            Figure d = sums.drafts().getOrDefault(c, Figure.NONE);
            Figure o = open.getOrDefault(c, Figure.NONE);
            out.add(new CurrencyRevenue(c, i.amount(), i.count(), d.amount(), d.count(), o.amount(), o.count()));
        }
        return new RevenueOverview(out, estimates.asOf(), estimates.pending(tenant), invoices.sweptAt());
    }

    /** One scheduled run: other processes' changes, the changed invoices, then marked customers within the budgets. */
    public void refresh() {
        refresh(RUN_BUDGET, RESWEEP_BUDGET);
    }

    /** Every marked customer and every changed invoice, whatever it costs (tests, and callers that must see it all). */
    public void refreshAll() {
        refresh(Duration.ofDays(1), Duration.ZERO);
    }

    private void refresh(Duration budget, Duration resweep) {
        synchronized (refreshing) {
            long deadline = System.nanoTime() + budget.toNanos();
            if (store.shared()) {
                markOtherProcessesChanges();
            }
            invoices.sweep(estimates::mark); // an invoice can change its customer's estimate (a coupon's periods)
            estimates.refresh(deadline, resweep.toNanos());
        }
    }

    /** Marks the customers whose change generation moved since the last run (this process's and others'). */
    private void markOtherProcessesChanges() {
        for (Map.Entry<String, Long> g : store.generations().entrySet()) {
            long seen = generations.getOrDefault(g.getKey(), 0L);
            if (g.getValue() <= seen) {
                continue;
            }
            for (RevenueStore.CustomerChange ch : store.customersChangedAfter(g.getKey(), seen)) {
                estimates.mark(g.getKey(), ch.customer());
                seen = Math.max(seen, ch.generation());
            }
            generations.put(g.getKey(), seen);
        }
    }

    /** How many customers wait to be recomputed, over every tenant (metrics, tests). */
    public int backlog() {
        return estimates.backlog();
    }
}
