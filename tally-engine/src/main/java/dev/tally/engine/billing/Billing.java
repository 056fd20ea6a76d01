package dev.tally.engine.billing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.billing.BillingAnchor;
import dev.tally.core.billing.Customer;
import dev.tally.core.billing.CustomerJson;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.Plan;
import dev.tally.core.billing.PlanJson;
import dev.tally.core.billing.UsageCharge;
import dev.tally.core.input.InstantInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.billing.commit.Commitments;
import dev.tally.engine.credit.Credits;
import dev.tally.engine.ingest.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The billing service of one engine: customers, plans, subscriptions, billing
 * runs and invoice life cycle. Billing runs of a tenant are serialized in this
 * process, and the store's unique constraints make a second process (or a run
 * repeated after a crash) find the invoices already there: one invoice per
 * subscription and boundary, ever.
 */
public final class Billing {
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);

    private final BillingStore store;
    private final Credits credits;
    private final Commitments commitments;
    private final UsageSource usage;
    private final Clock clock;
    private final InvoiceComposer composer;
    private final dev.tally.engine.discount.Discounts discounts;
    private final CustomerRecords records;
    private final dev.tally.engine.credit.RecurringGrants recurringGrants;
    private final dev.tally.engine.credit.CreditPurchases creditPurchases;
    private final dev.tally.engine.credit.AutoTopUps autoTopUps;
    private final dev.tally.engine.credit.CreditUnits creditUnits;
    private final dev.tally.engine.billing.seats.SubscriptionQuantities quantities;
    private final Map<String, Object> runLocks = new ConcurrentHashMap<>();
    private final Map<String, Plan> planCache = new ConcurrentHashMap<>();
    private final Drafts drafts;
    private final BillingRun runs;
    private final CreditNotes creditNotes;
    private final UsageEstimates estimates;
    private volatile BillingObserver observer = BillingObserver.NONE;

    public Billing(dev.tally.engine.store.Database db, UsageSource usage, Clock clock) {
        this.credits = new Credits(db, clock);
        this.commitments = new Commitments(db, clock, credits, this::plan, this::customerFor, this::subscription);
        this.store = new BillingStore(db, credits, commitments);
        this.usage = usage;
        this.clock = clock;
        this.quantities = new dev.tally.engine.billing.seats.SubscriptionQuantities(db, clock,
                new QuantitiesAccess(this, store, this::lock));
        this.discounts = new dev.tally.engine.discount.Discounts(db, clock, discountsView());
        this.composer = new InvoiceComposer(usage, this::plan, quantities.lines(usage), discounts, commitments);
        this.records = new CustomerRecords(store, clock, this::plan, () -> observer);
        this.recurringGrants = new dev.tally.engine.credit.RecurringGrants(credits, db,
                new CreditGrantSchedules(store, this::plan, records), clock);
        this.creditPurchases = new dev.tally.engine.credit.CreditPurchases(credits, db, new OneOffInvoices(db), clock);
        this.autoTopUps = new dev.tally.engine.credit.AutoTopUps(credits, db, creditPurchases,
                new LiveCreditEstimates(this), clock);
        this.creditUnits = new dev.tally.engine.credit.CreditUnits(credits, db, clock);
        this.drafts = new Drafts(store, composer, this::plan, this::customerFor, (t, id) -> records.record(t, id)
                .pendingAt(now()).map(CustomerRecord.PendingZone::effectiveAt));
        this.runs = new BillingRun(store, usage, drafts, new BillingRun.Ledger() {
            @Override
            public void before(String tenant, Instant now) {
                credits.expireDue(tenant, now);
                recurringGrants.apply(tenant, now);
            }

            @Override
            public void after(String tenant, Instant now) {
                recurringGrants.apply(tenant, now);
                autoTopUps.checkAll(tenant);
            }
        }, clock);
        this.creditNotes = new CreditNotes(store, credits, this::lock, clock);
        this.estimates = new UsageEstimates(this, store, composer, drafts, usage);
    }

    /** The clock billing reads "now" from. */
    Clock clock() {
        return clock;
    }

    /** The quantities of subscriptions' licensed charges (seats): an immutable history of changes. */
    public dev.tally.engine.billing.seats.SubscriptionQuantities quantities() {
        return quantities;
    }

    /** Price overrides, coupons and redemptions of subscriptions (what invoices are composed with beside plans). */
    public dev.tally.engine.discount.Discounts discounts() {
        return discounts;
    }

    private dev.tally.engine.discount.Discounts.Subscriptions discountsView() {
        return new dev.tally.engine.discount.Discounts.Subscriptions() {
            @Override
            public Subscription subscription(String tenant, String id) {
                return Billing.this.subscription(tenant, id);
            }

            @Override
            public Plan plan(String tenant, Phase phase) {
                return Billing.this.plan(tenant, phase);
            }

            @Override
            public List<Invoice> invoices(String tenant, String subscriptionId) {
                return store.invoicesOfSubscription(tenant, subscriptionId);
            }
        };
    }

    /** Updates, archiving and the version history of customers. */
    public CustomerRecords customerRecords() {
        return records;
    }

    /**
     * Test seam: runs after each batch of drafts is committed during a billing run (a test throws here to
     * simulate a crash), with batches of {@code batchSize} subscriptions.
     */
    void onBatchStored(int batchSize, Runnable hook) {
        runs.onBatchStored(batchSize, hook);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    /** The customers' credit ledger, which finalized and voided invoices draw from and give back to. */
    public Credits credits() {
        return credits;
    }

    /** Minimum and prepaid commitments on subscriptions (see docs/COMMITMENTS.md). */
    public Commitments commitments() {
        return commitments;
    }

    /** Buying credits: a paid grant and the one-off invoice of its price. */
    public dev.tally.engine.credit.CreditPurchases creditPurchases() {
        return creditPurchases;
    }

    /** The automatic top-ups of wallets, checked by every billing run. */
    public dev.tally.engine.credit.AutoTopUps autoTopUps() {
        return autoTopUps;
    }

    /** Custom credit units of wallets ("credits" worth 0.01 USD each). */
    public dev.tally.engine.credit.CreditUnits creditUnits() {
        return creditUnits;
    }

    /** Proves the tenant's credit ledger and prepaid commitments against its invoices (see {@link LedgerReconciliation}). */
    public LedgerReconciliation.Result reconcileLedger(String tenant) {
        return new LedgerReconciliation(store, credits, commitments).run(tenant);
    }

    /**
     * Adds an observer of customer and subscription changes (the engine's entitlements, the live balances); observers
     * are told in the order they were added.
     */
    public synchronized void observe(BillingObserver o) {
        java.util.Objects.requireNonNull(o);
        BillingObserver before = this.observer;
        this.observer = before == BillingObserver.NONE ? o : BillingObserver.both(before, o);
    }

    /** Sets what a billing run asks before it finalizes a draft (e.g. an unreviewed anomaly of the customer). */
    public void holdFinalization(FinalizationHold h) {
        store.hold = java.util.Objects.requireNonNull(h);
    }

    /** Runs a change of a customer in one transaction with the observer's record of it. */
    private <T> T observed(String tenant, String customer, java.util.function.Supplier<T> change) {
        return store.db().inTransaction(c -> {
            T r = change.get();
            observer.changing(c, tenant, customer);
            return r;
        });
    }

    private void stored(Subscription s) {
        observed(s.tenant(), s.customer(), () -> {
            store.upsertSubscription(s);
            return null;
        });
        observer.subscriptionStored(s);
    }

    /**
     * Runs many billing operations (e.g. importing customers and subscriptions) as one transaction: all or
     * nothing, one commit.
     */
    public void inOneTransaction(Runnable work) {
        store.db().inTransaction(c -> {
            work.run();
            return null;
        });
    }

    // ---- settings

    public Duration gracePeriod(String tenant) {
        return Duration.ofSeconds(store.gracePeriodSeconds(tenant, DEFAULT_GRACE.toSeconds()));
    }

    public void setGracePeriod(String tenant, Duration grace) {
        if (grace.isNegative() || grace.compareTo(Duration.ofDays(30)) > 0) {
            throw new ValidationException("grace_period_seconds", "must be between 0 and 30 days");
        }
        store.setGracePeriodSeconds(tenant, grace.toSeconds());
    }

    // ---- customers

    public Customer createCustomer(String tenant, JsonNode body) {
        Customer c = CustomerJson.read(body);
        if (!observed(tenant, c.externalId(), () -> store.insertCustomer(tenant, c, now()))) {
            throw new BillingConflictException("customer '" + c.externalId() + "' exists");
        }
        observer.customerCreated(tenant, c);
        return c;
    }

    /** A customer as it is now (archived or not), with a pending time zone once it has taken effect. */
    public Customer customer(String tenant, String externalId) {
        return records.record(tenant, externalId).inForce(now());
    }

    /** A tenant's customers by external id, as they are now (archived ones included). */
    public List<Customer> customers(String tenant) {
        Instant now = now();
        return records.records(tenant).stream().map(r -> r.inForce(now)).toList();
    }

    /** The customer of a subscription as its billing sees it: in the time zone in force at the subscription's start. */
    private Customer customerFor(Subscription s) {
        Customer c = customer(s.tenant(), s.customer());
        ZoneId zone = records.zoneAt(s.tenant(), c, s.start());
        return zone.equals(c.timezone()) ? c : c.withTimezone(zone);
    }

    // ---- plans

    /** Creates a plan, or a new version of it when the key exists (existing subscriptions keep theirs). */
    public Plan createPlan(String tenant, JsonNode body) {
        usage.sync();
        String key = body.path("key").asText("");
        List<Plan> versions = store.planVersions(tenant, key);
        Plan p = PlanJson.read(body, versions.size() + 1);
        List<FieldViolation> errors = new ArrayList<>();
        for (int i = 0; i < p.charges().size(); i++) {
            if (p.charges().get(i) instanceof UsageCharge u && !usage.meterExists(tenant, u.meter())) {
                errors.add(new FieldViolation("charges[" + i + "].meter", "no meter '" + u.meter() + "'"));
            }
            if (p.charges().get(i) instanceof dev.tally.core.billing.LicensedCharge l && l.meter().isPresent()
                    && !usage.meterExists(tenant, l.meter().get())) {
                errors.add(new FieldViolation("charges[" + i + "].quantity.meter", "no meter '" + l.meter().get() + "'"));
            }
        }
        for (int i = 0; i < p.features().size(); i++) {
            String meter = p.features().get(i).metered().map(dev.tally.core.billing.MeteredLimit::meter).orElse(null);
            if (meter != null && !usage.meterExists(tenant, meter)) {
                errors.add(new FieldViolation("features[" + i + "].meter", "no meter '" + meter + "'"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        store.insertPlan(tenant, p, now());
        return p;
    }

    public List<Plan> planVersions(String tenant, String key) {
        List<Plan> v = store.planVersions(tenant, key);
        if (v.isEmpty()) {
            throw new BillingNotFoundException("no plan '" + key + "'");
        }
        return v;
    }

    public List<String> planKeys(String tenant) {
        return store.planKeys(tenant);
    }

    Plan plan(String tenant, Phase phase) {
        return planCache.computeIfAbsent(tenant + "\u0000" + phase.plan() + "\u0000" + phase.planVersion(), k ->
                store.planVersions(tenant, phase.plan()).stream().filter(p -> p.version() == phase.planVersion())
                        .findFirst().orElseThrow(() -> new BillingNotFoundException("no plan '" + phase.plan()
                                + "' version " + phase.planVersion())));
    }

    private Plan resolvePlan(String tenant, JsonNode body, String field) {
        String key = text(body, field).orElseThrow(() -> new ValidationException(field, "is required"));
        List<Plan> versions = store.planVersions(tenant, key);
        if (versions.isEmpty()) {
            throw new ValidationException(field, "no plan '" + key + "'");
        }
        if (body.hasNonNull(field + "_version")) {
            int v = body.get(field + "_version").asInt();
            return versions.stream().filter(p -> p.version() == v).findFirst()
                    .orElseThrow(() -> new ValidationException(field + "_version", "no such version"));
        }
        return versions.get(versions.size() - 1);
    }

    // ---- subscriptions

    public Subscription subscribe(String tenant, JsonNode body) {
        CustomerRecord rec = store.customers.record(tenant, text(body, "customer").orElseThrow(() ->
                new ValidationException("customer", "is required"))).orElseThrow(() ->
                new ValidationException("customer", "no such customer"));
        if (rec.archived()) {
            throw new BillingConflictException("customer-archived", "customer '" + rec.customer().externalId()
                    + "' is archived and cannot be subscribed");
        }
        Customer base = rec.inForce(now());
        Plan plan = resolvePlan(tenant, body, "plan");
        if (!plan.currency().equals(base.currency())) {
            throw new ValidationException("plan", "the plan's currency " + plan.currency()
                    + " is not the customer's " + base.currency());
        }
        BillingAnchor anchor = text(body, "billing").map(b -> BillingAnchor.fromWireName(b).orElseThrow(() ->
                new ValidationException("billing", "must be calendar or anniversary"))).orElse(BillingAnchor.CALENDAR);
        Instant start = instant(body, "start").orElse(now());
        Customer c = base.withTimezone(records.zoneAt(tenant, base, start));
        int trialDays = body.hasNonNull("trial_days") ? body.get("trial_days").asInt() : plan.trialDays();
        if (trialDays < 0 || trialDays > 365) {
            throw new ValidationException("trial_days", "must be 0..365");
        }
        Optional<Instant> trialEnd = trialDays == 0 ? Optional.empty()
                : Optional.of(start.atZone(c.timezone()).plusDays(trialDays).toInstant());
        Phase phase = new Phase(plan.key(), plan.version(), start, Optional.empty());
        Subscription s = new Subscription("sub_" + UUID.randomUUID().toString().replace("-", ""), tenant,
                c.externalId(), anchor, start, trialEnd, Optional.empty(), List.of(phase), start, now());
        Subscription subscribed = s.with(s.phases(), s.end(), firstBoundary(s, c));
        stored(subscribed);
        return subscribed;
    }

    /**
     * The opening invoice is due at the start (or the trial's end inside the first period) when the plan has
     * in-advance fees; else the first boundary is the first period's end.
     */
    private Instant firstBoundary(Subscription s, Customer c) {
        Optional<Instant> at = composer.opening(s, c);
        if (at.isPresent() && !composer.compose(s, c, at.get(), List.of(), now()).lines().isEmpty()) {
            return at.get();
        }
        return drafts.boundaryAfter(s, c, s.start());
    }

    public Subscription subscription(String tenant, String id) {
        return store.subscription(tenant, id).orElseThrow(() -> new BillingNotFoundException("no subscription '" + id + "'"));
    }

    public List<Subscription> subscriptionsOf(String tenant, String customer) {
        return store.subscriptionsOf(tenant, customer);
    }

    /** Every subscription of a tenant that has not ended at {@code at} (including ones that start later). */
    public List<Subscription> subscriptionsNotEndedAt(String tenant, Instant at) {
        return store.subscriptionsNotEndedAt(tenant, at);
    }

    /** The last boundary already invoiced (or the start): changes cannot reach back before it. */
    private Instant lastInvoiced(Subscription s) {
        List<Invoice> invoices = store.invoicesOfSubscription(s.tenant(), s.id());
        return invoices.isEmpty() ? s.start() : invoices.get(invoices.size() - 1).boundary();
    }

    /** Moves a subscription to another plan from {@code at} (default now); same interval and currency only. */
    public Subscription changePlan(String tenant, String id, JsonNode body) {
        synchronized (lock(tenant)) {
            Subscription s = subscription(tenant, id);
            Customer c = customerFor(s);
            Plan to = resolvePlan(tenant, body, "plan");
            Plan from = plan(tenant, s.currentPhase());
            Instant at = instant(body, "at").orElse(now());
            if (!to.currency().equals(from.currency()) || to.interval() != from.interval()) {
                throw new BillingConflictException("a plan change keeps the currency and billing interval; "
                        + "cancel and subscribe again to change them");
            }
            if (at.isBefore(lastInvoiced(s)) || !at.isAfter(s.currentPhase().start())
                    || s.end().isPresent() && !at.isBefore(s.end().get())) {
                throw new ValidationException("at", "must be inside the subscription's current, not yet invoiced period");
            }
            List<Phase> phases = new ArrayList<>(s.phases());
            phases.set(phases.size() - 1, s.currentPhase().endingAt(at));
            phases.add(new Phase(to.key(), to.version(), at, Optional.empty()));
            Subscription changed = s.with(phases, s.end(), s.nextBoundary());
            stored(changed);
            return changed;
        }
    }

    /** Cancels now (or at {@code at}) with proration, or at the end of the current period. */
    public Subscription cancel(String tenant, String id, JsonNode body) {
        synchronized (lock(tenant)) {
            Subscription s = subscription(tenant, id);
            if (s.end().isPresent()) {
                throw new BillingConflictException("the subscription is already cancelled (ends " + s.end().get() + ")");
            }
            Customer c = customerFor(s);
            Instant end;
            if (body.path("at_period_end").asBoolean(false)) {
                end = InvoiceComposer.periodAt(s, plan(tenant, s.phases().get(0)), now(), c.timezone()).end();
            } else {
                end = instant(body, "at").orElse(now());
                if (end.isBefore(lastInvoiced(s)) || !end.isAfter(s.start())) {
                    throw new ValidationException("at", "must be after the last invoiced boundary");
                }
            }
            Instant next = s.nextBoundary().isAfter(end) ? end : s.nextBoundary();
            Subscription cancelled = s.with(s.phases(), Optional.of(end), next);
            stored(cancelled);
            return cancelled;
        }
    }

    // ---- billing runs

    private Object lock(String tenant) {
        return runLocks.computeIfAbsent(tenant, t -> new Object());
    }

    /**
     * Closes every due boundary: creates the draft (or finds it, if another run did), refreshes drafts still
     * in their grace period with late usage, and finalizes drafts whose grace period is over.
     */
    public BillingRunResult run(String tenant) {
        synchronized (lock(tenant)) {
            return store.db().withLock("tally-billing-run:" + tenant, () -> runs.run(tenant));
        }
    }

    /**
     * A billing run for the customers (external ids) {@code mine} accepts, e.g. those of the Kafka partitions a
     * worker owns; the other due subscriptions and open drafts are left to the processes that own them. Serialized
     * with every other run of the tenant like {@link #run(String)}; invoice uniqueness in the database stays the last
     * guard against two owners billing one customer.
     */
    public BillingRunResult run(String tenant, java.util.function.Predicate<String> mine) {
        synchronized (lock(tenant)) {
            return store.db().withLock("tally-billing-run:" + tenant, () -> runs.run(tenant, mine));
        }
    }

    // ---- invoices

    public Invoice invoice(String tenant, String id) {
        return store.invoice(tenant, id).orElseThrow(() -> new BillingNotFoundException("no invoice '" + id + "'"));
    }

    public List<Invoice> invoices(String tenant, Optional<String> customer, Optional<InvoiceStatus> status, int limit) {
        return store.list(tenant, customer, status, Optional.empty(), limit);
    }

    /**
     * Invoices whose payment status (as the payment ledger's derived status row says; none means {@code pending})
     * is {@code paymentStatus}'s wire name.
     */
    public List<Invoice> invoices(String tenant, Optional<String> customer, Optional<InvoiceStatus> status,
            Optional<String> paymentStatus, int limit) {
        return store.list(tenant, customer, status, paymentStatus, limit);
    }

    /** Finalizes a draft now, with its latest usage (skipping what is left of the grace period). */
    public Invoice finalizeInvoice(String tenant, String id) {
        synchronized (lock(tenant)) {
            Invoice d = invoice(tenant, id);
            if (d.status() != InvoiceStatus.DRAFT) {
                throw new BillingConflictException("only a draft can be finalized; this invoice is " + d.status().wireName());
            }
            Subscription s = subscription(tenant, d.subscriptionId());
            store.refreshDrafts(List.of(drafts.recomposed(s, customerFor(s), d, now())), now());
            store.finalizeDraft(tenant, id, now());
            return invoice(tenant, id);
        }
    }

    public Invoice voidInvoice(String tenant, String id) {
        return settle(tenant, id, InvoiceStatus.VOID);
    }

    public Invoice markPaid(String tenant, String id) {
        return settle(tenant, id, InvoiceStatus.PAID);
    }

    private Invoice settle(String tenant, String id, InvoiceStatus to) {
        Invoice inv = invoice(tenant, id);
        if (!store.settle(inv, to, now())) {
            throw new BillingConflictException("only a finalized invoice (or, to void, one paid entirely by credits) can become " + to.wireName()
                    + "; this one is " + inv.status().wireName());
        }
        return invoice(tenant, id);
    }

    /** The events behind one line of an invoice (usage and adjustment lines), a page at a time. */
    public List<StoredEvent> lineEvents(String tenant, String invoiceId, String lineId, long afterPosition, int limit) {
        usage.sync();
        Invoice inv = invoice(tenant, invoiceId);
        InvoiceLine line = inv.line(lineId).orElseThrow(() -> new BillingNotFoundException("no line '" + lineId + "'"));
        if (line.meter().isEmpty()) {
            return List.of();
        }
        Plan plan = plan(tenant, new Phase(line.plan(), line.planVersion(), Instant.EPOCH, Optional.empty()));
        Optional<UsageCharge> charge = plan.charges().stream()
                .filter(ch -> ch.key().equals(line.chargeKey()) && ch instanceof UsageCharge)
                .map(ch -> (UsageCharge) ch).findFirst();
        Map<String, java.util.Set<String>> filters = new HashMap<>(charge.map(UsageCharge::filters).orElse(Map.of()));
        // a line of one dimension value ("<charge name>: <dimension>=<value>: ...") lists that value's events
        charge.flatMap(ch -> ch.pricing().dimension()).ifPresent(d -> {
            String marker = ": " + d + "=";
            int at = line.description().indexOf(marker);
            if (at >= 0) {
                int from = at + marker.length();
                int to = line.description().indexOf(": ", from);
                filters.put(d, java.util.Set.of(line.description().substring(from, to < 0 ? line.description().length() : to)));
            }
        });
        return usage.eventsBehind(tenant, inv.customer(), line.meter().get(), filters, line.period(), afterPosition, limit);
    }

    // ---- credit notes

    /**
     * Credits a finalized (or paid) invoice, whole or by line. A line can be credited at most its amount over
     * all credit notes. Returns the stored credit note.
     */
    public JsonNode createCreditNote(String tenant, JsonNode body) {
        return creditNotes.create(tenant, body);
    }

    public List<JsonNode> creditNotes(String tenant, String invoiceId) {
        return creditNotes.of(tenant, invoiceId);
    }

    // ---- live estimate

    /**
     * The current period of each of a customer's live subscriptions, priced as the invoices will price it: the same
     * lines, the same prorated allowances; each in-advance fee names the invoice it is already on.
     */
    public List<UsageEstimate> currentUsage(String tenant, String customerId) {
        return estimates.of(tenant, customerId);
    }


    // ---- helpers

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n.asText());
    }

    private static Optional<Instant> instant(JsonNode body, String field) {
        return text(body, field).map(v -> {
            try {
                return InstantInput.parse(v).truncatedTo(ChronoUnit.SECONDS);
            } catch (InvalidInputException e) {
                throw new ValidationException(field, e.problem());
            }
        });
    }

}
