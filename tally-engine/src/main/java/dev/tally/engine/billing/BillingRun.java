package dev.tally.engine.billing;

import dev.tally.core.billing.Customer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One tenant's billing run, called with the tenant's run lock held: closes every due boundary (creates the draft,
 * or finds it if another run did), refreshes drafts still in their grace period with late usage, and finalizes
 * drafts whose grace period is over. What the credit ledger does around it is the {@link Ledger}'s.
 */
final class BillingRun {
    /** The credit ledger's part of a run: before drafts are composed and after they are stored. */
    interface Ledger {
        /** Expires credits and grants the recurring credits of boundaries already invoiced. */
        void before(String tenant, Instant now);

        /** Grants the recurring credits of the boundaries this run invoiced and tops wallets up. */
        void after(String tenant, Instant now);
    }

    static final int RUN_BATCH = 500;

    private final BillingStore store;
    private final UsageSource usage;
    private final Drafts drafts;
    private final Ledger ledger;
    private final Clock clock;
    private volatile Runnable crashHook = () -> { };
    private volatile int runBatch = RUN_BATCH;

    BillingRun(BillingStore store, UsageSource usage, Drafts drafts, Ledger ledger, Clock clock) {
        this.store = store;
        this.usage = usage;
        this.drafts = drafts;
        this.ledger = ledger;
        this.clock = clock;
    }

    /** Test seam: runs after each batch of drafts is committed (a test throws here to simulate a crash). */
    void onBatchStored(int batchSize, Runnable hook) {
        this.runBatch = batchSize;
        this.crashHook = hook;
    }

    BillingRunResult run(String tenant) {
        usage.sync();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        // recurring credits of boundaries already invoiced first (so this run's invoices can draw them), and
        // again after this run's invoices are finalized (their boundary's rollover and new grants)
        ledger.before(tenant, now);
        Duration grace = Duration.ofSeconds(store.gracePeriodSeconds(tenant, Billing.DEFAULT_GRACE.toSeconds()));
        java.util.Set<String> createdIds = new java.util.HashSet<>();
        int finalized = 0;
        Map<String, Customer> customers = new HashMap<>();
        while (true) {
            List<Subscription> due = store.due(tenant, now, runBatch);
            if (due.isEmpty()) {
                break;
            }
            List<BillingStore.Draft> batch = new ArrayList<>(due.size());
            for (Subscription s : due) {
                Customer c = customers.computeIfAbsent(s.customer() + "\u0000" + s.start(), k -> drafts.customerFor(s));
                batch.add(drafts.created(s, c, now, grace));
            }
            BillingStore.Stored stored = store.insertDrafts(batch, now);
            createdIds.addAll(stored.createdIds());
            finalized += stored.finalized();
            crashHook.run();
        }
        List<Invoice> open = store.drafts(tenant);
        int rerated = (int) open.stream().filter(d -> !createdIds.contains(d.id())).count();
        int finalizedInRefresh = 0;
        for (int from = 0; from < open.size(); from += runBatch) {
            List<BillingStore.Draft> batch = new ArrayList<>();
            for (Invoice d : open.subList(from, Math.min(open.size(), from + runBatch))) {
                Subscription s = store.subscription(tenant, d.subscriptionId()).orElseThrow(() ->
                        new BillingNotFoundException("no subscription '" + d.subscriptionId() + "'"));
                Customer c = customers.computeIfAbsent(s.customer() + "\u0000" + s.start(), k -> drafts.customerFor(s));
                batch.add(drafts.recomposed(s, c, d, now));
            }
            finalizedInRefresh += store.refreshDrafts(batch, now);
        }
        ledger.after(tenant, now);
        return new BillingRunResult(now, createdIds.size(), rerated, finalized + finalizedInRefresh,
                open.size() - finalizedInRefresh, open.size());
    }
}
