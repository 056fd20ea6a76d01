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
import java.util.Optional;

/**
 * One tenant's billing run, called with the tenant's run lock held: closes every due boundary (creates the draft,
 * or finds it if another run did), composes again the open drafts whose inputs changed since their {@link Rating},
 * and finalizes drafts whose grace period is over. Subscriptions and drafts are read a page at a time and each page
 * is written in one transaction, so memory does not grow with the tenant. What the credit ledger does around it is
 * the {@link Ledger}'s.
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
    private final RatingStore ratings;
    private volatile Runnable crashHook = () -> { };
    private volatile int runBatch = RUN_BATCH;

    BillingRun(BillingStore store, UsageSource usage, Drafts drafts, Ledger ledger, Clock clock) {
        this.store = store;
        this.usage = usage;
        this.drafts = drafts;
        this.ledger = ledger;
        this.clock = clock;
        this.ratings = new RatingStore(store.db());
    }

    /** Test seam: runs after each batch of drafts is committed (a test throws here to simulate a crash). */
    void onBatchStored(int batchSize, Runnable hook) {
        this.runBatch = batchSize;
        this.crashHook = hook;
    }

    BillingRunResult run(String tenant) {
        return run(tenant, customer -> true, false);
    }

    /** A run for the customers {@code mine} accepts only (the others are left to the processes that own them). */
    BillingRunResult run(String tenant, java.util.function.Predicate<String> mine) {
        return run(tenant, mine, true);
    }

    private BillingRunResult run(String tenant, java.util.function.Predicate<String> mine, boolean partial) {
        // the tenant-wide version before syncing: a change of a plan or meter another process commits after this
        // read moves it again, so what this run composes from an older copy is composed again by the next run
        long tenantVersion = ratings.tenantVersion(tenant);
        usage.sync();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        // recurring credits of boundaries already invoiced first (so this run's invoices can draw them), and
        // again after this run's invoices are finalized (their boundary's rollover and new grants)
        ledger.before(tenant, now);
        Duration grace = Duration.ofSeconds(store.gracePeriodSeconds(tenant, Billing.DEFAULT_GRACE.toSeconds()));
        int created = 0;
        int finalized = 0;
        Subscription dueAfter = null;
        while (true) {
            List<Subscription> page = dueAfter == null ? store.due(tenant, now, runBatch)
                    : store.due(tenant, now, dueAfter, runBatch);
            if (page.isEmpty()) {
                break;
            }
            if (partial) {
                // the subscriptions left to others stay due, so page on past them (one invoiced here moves its
                // boundary forward, past this cursor, and comes back in a later page while still due)
                dueAfter = page.get(page.size() - 1);
            }
            List<Subscription> due = page.stream().filter(s -> mine.test(s.customer())).toList();
            if (due.isEmpty()) {
                continue;
            }
            Map<String, Long> versions = ratings.customerVersions(tenant, due.stream().map(Subscription::customer).toList());
            Map<String, Customer> customers = new HashMap<>();
            List<BillingStore.Draft> batch = new ArrayList<>(due.size());
            for (Subscription s : due) {
                String inputs = inputs(tenant, tenantVersion, versions, s.customer());
                Customer c = customers.computeIfAbsent(s.customer() + "\u0000" + s.start(), k -> drafts.customerFor(s));
                batch.add(drafts.created(s, c, now, grace, inputs));
            }
            BillingStore.Stored stored = store.insertDrafts(batch, now);
            created += stored.created();
            finalized += stored.finalized();
            crashHook.run();
        }
        // the open drafts a page at a time: composed again only when an input changed since their rating, finalized
        // as they are when their grace period is over and nothing changed
        int rerated = 0;
        int unchanged = 0;
        int open = 0;
        int finalizedOpen = 0;
        Optional<RatingStore.Key> after = Optional.empty();
        while (true) {
            List<RatingStore.OpenDraft> page = ratings.openDrafts(tenant, after, runBatch);
            if (page.isEmpty()) {
                break;
            }
            after = Optional.of(page.get(page.size() - 1).key());
            open += page.size();
            Map<String, Customer> customers = new HashMap<>();
            List<BillingStore.Draft> batch = new ArrayList<>();
            List<String> finalizeAsTheyAre = new ArrayList<>();
            for (RatingStore.OpenDraft d : page) {
                if (!mine.test(d.customer())) {
                    open--;
                    continue;
                }
                String inputs = Rating.inputs(tenantVersion, d.customerVersion(), usage.changeMark(tenant, d.customer()));
                if (d.rating().filter(r -> r.current(inputs, now)).isPresent()) {
                    unchanged++;
                    if (!d.finalizeAfter().isAfter(now)) {
                        finalizeAsTheyAre.add(d.id());
                    }
                    continue;
                }
                Optional<Invoice> draft = store.invoice(tenant, d.id());
                Optional<Subscription> sub = store.subscription(tenant, d.subscriptionId());
                if (draft.isEmpty() || draft.get().status() != InvoiceStatus.DRAFT || sub.isEmpty()) {
                    continue;
                }
                Subscription s = sub.get();
                Customer c = customers.computeIfAbsent(s.customer() + "\u0000" + s.start(), k -> drafts.customerFor(s));
                batch.add(drafts.recomposed(s, c, draft.get(), now, Optional.of(inputs)));
                rerated++;
            }
            if (!batch.isEmpty() || !finalizeAsTheyAre.isEmpty()) {
                finalizedOpen += store.refreshDrafts(batch, tenant, finalizeAsTheyAre, now);
            }
        }
        ledger.after(tenant, now);
        return new BillingRunResult(now, created, rerated, finalized + finalizedOpen, open - finalizedOpen,
                created - finalized + rerated, unchanged);
    }

    /** The marks of a customer's inputs now (see {@link Rating#inputs}). */
    private String inputs(String tenant, long tenantVersion, Map<String, Long> versions, String customer) {
        return Rating.inputs(tenantVersion, versions.getOrDefault(customer, 0L), usage.changeMark(tenant, customer));
    }
}
