package dev.tally.engine.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.BillingAnchor;
import dev.tally.core.billing.Charge;
import dev.tally.core.billing.Customer;
import dev.tally.core.billing.CustomerJson;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.billing.PlanJson;
import dev.tally.core.billing.UsageCharge;
import dev.tally.core.money.InvoiceTotals;
import dev.tally.core.money.Money;
import dev.tally.core.money.RoundingRule;
import dev.tally.core.money.TaxRate;
import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InstantInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.core.validation.FieldViolation;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.billing.commit.Commitments;
import dev.tally.engine.credit.Credits;
import dev.tally.engine.ingest.StoredEvent;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
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
    private static final int RUN_BATCH = 500;

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
    private volatile Runnable crashHook = () -> { };
    private volatile BillingObserver observer = BillingObserver.NONE;
    private volatile int runBatch = RUN_BATCH;

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
        this.runBatch = batchSize;
        this.crashHook = hook;
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
        return boundaryAfter(s, c, s.start());
    }

    private Instant boundaryAfter(Subscription s, Customer c, Instant b) {
        if (s.end().isPresent() && !b.isBefore(s.end().get())) {
            return BillingStore.NEVER;
        }
        Period p = InvoiceComposer.periodAt(s, plan(s.tenant(), s.phases().get(0)), b, c.timezone());
        Instant next = p.end();
        return s.end().isPresent() && s.end().get().isBefore(next) ? s.end().get() : next;
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
            return store.db().withLock("tally-billing-run:" + tenant, () -> runLocked(tenant));
        }
    }

    private BillingRunResult runLocked(String tenant) {
        usage.sync();
        {
            Instant now = now();
            credits.expireDue(tenant, now);
            // recurring credits of boundaries already invoiced first (so this run's invoices can draw them), and
            // again after this run's invoices are finalized (their boundary's rollover and new grants)
            recurringGrants.apply(tenant, now);
            Duration grace = gracePeriod(tenant);
            java.util.Set<String> createdIds = new java.util.HashSet<>();
            int finalized = 0;
            Map<String, Customer> customers = new HashMap<>();
            while (true) {
                List<Subscription> due = store.due(tenant, now, runBatch);
                if (due.isEmpty()) {
                    break;
                }
                List<BillingStore.Draft> drafts = new ArrayList<>(due.size());
                for (Subscription s : due) {
                    Customer c = customers.computeIfAbsent(s.customer() + "\u0000" + s.start(), k -> customerFor(s));
                    Instant boundary = s.nextBoundary();
                    List<Invoice> earlier = store.invoicesOfSubscriptionSince(tenant, s.id(),
                            now.minus(InvoiceComposer.LOOK_BACK));
                    InvoiceComposer.Composition comp = composer.compose(s, c, boundary, earlier, now);
                    drafts.add(new BillingStore.Draft(draft(s, c, boundary, comp, now, grace), taxRates(s, c),
                            boundaryAfter(s, c, boundary)));
                }
                BillingStore.Stored stored = store.insertDrafts(drafts, now);
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
                    Subscription s = subscription(tenant, d.subscriptionId());
                    Customer c = customers.computeIfAbsent(s.customer() + "\u0000" + s.start(), k -> customerFor(s));
                    batch.add(recomposed(s, c, d, now));
                }
                finalizedInRefresh += store.refreshDrafts(batch, now);
            }
            recurringGrants.apply(tenant, now);
            autoTopUps.checkAll(tenant);
            return new BillingRunResult(now, createdIds.size(), rerated, finalized + finalizedInRefresh,
                    open.size() - finalizedInRefresh, open.size());
        }
    }

    /** A draft composed again from the latest usage, keeping its id and its finalization time. */
    private BillingStore.Draft recomposed(Subscription s, Customer c, Invoice d, Instant now) {
        List<Invoice> earlier = store.invoicesOfSubscriptionSince(s.tenant(), s.id(), now.minus(InvoiceComposer.LOOK_BACK))
                .stream().filter(i -> !i.id().equals(d.id())).toList();
        InvoiceComposer.Composition comp = composer.compose(s, c, d.boundary(), earlier, now);
        Invoice fresh = draft(s, c, d.boundary(), comp, now, Duration.ZERO);
        Invoice kept = new Invoice(d.id(), d.tenant(), d.number(), d.customer(), d.subscriptionId(), d.boundary(),
                fresh.period(), d.status(), fresh.lines(), fresh.totals(), d.createdAt(), now, d.finalizeAfter(),
                d.finalizedAt(), d.paidAt(), d.voidedAt(), d.dueDate(), AppliedCredits.pending(fresh.totals().total()));
        return new BillingStore.Draft(kept, taxRates(s, c), s.nextBoundary());
    }

    private Invoice draft(Subscription s, Customer c, Instant boundary, InvoiceComposer.Composition comp,
            Instant now, Duration grace) {
        InvoiceTotals totals = InvoiceTotals.of(c.currency(), comp.lines().stream().map(InvoiceLine::amount).toList(),
                taxRates(s, c));
        Instant finalizeAfter = (boundary.isAfter(now) ? boundary : now).plus(grace);
        return new Invoice("inv_" + UUID.randomUUID().toString().replace("-", ""), s.tenant(), Optional.empty(),
                c.externalId(), s.id(), boundary, comp.period(), InvoiceStatus.DRAFT, comp.lines(), totals, now, now,
                finalizeAfter, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                AppliedCredits.pending(totals.total()));
    }

    /** The customer's tax rates, else the plan's. */
    private List<TaxRate> taxRates(Subscription s, Customer c) {
        return c.taxRates().isEmpty() ? plan(s.tenant(), s.currentPhase()).taxRates() : c.taxRates();
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
            store.refreshDrafts(List.of(recomposed(s, customerFor(s), d, now())), now());
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
        synchronized (lock(tenant)) {
            String invoiceId = text(body, "invoice").orElseThrow(() -> new ValidationException("invoice", "is required"));
            String refundTo = text(body, "refund").orElse("money");
            if (!refundTo.equals("money") && !refundTo.equals("wallet")) {
                throw new ValidationException("refund", "must be \"money\" or \"wallet\"");
            }
            boolean toWallet = refundTo.equals("wallet");
            Invoice inv = invoice(tenant, invoiceId);
            if (inv.status() != InvoiceStatus.FINALIZED && inv.status() != InvoiceStatus.PAID) {
                throw new BillingConflictException("credit notes apply to finalized or paid invoices; this one is "
                        + inv.status().wireName());
            }
            // a discounted line can give back only what it cost after its charge's discounts
            Map<String, BigDecimal> creditable = dev.tally.core.discount.DiscountCalculator.creditable(inv.lines());
            Map<String, BigDecimal> already = new HashMap<>();
            Map<String, BigDecimal> taxAlready = new HashMap<>();
            for (JsonNode cn : store.creditNotes(tenant, invoiceId)) {
                cn.get("lines").forEach(l -> already.merge(l.get("line_id").asText(),
                        new BigDecimal(l.get("amount").asText()), BigDecimal::add));
                cn.path("taxes").forEach(t -> taxAlready.merge(t.get("name").asText(),
                        new BigDecimal(t.get("amount").asText()), BigDecimal::add));
            }
            ArrayNode lines = JsonNodeFactory.instance.arrayNode();
            BigDecimal total = BigDecimal.ZERO;
            List<JsonNode> requested = new ArrayList<>();
            if (body.path("lines").isArray() && !body.get("lines").isEmpty()) {
                body.get("lines").forEach(requested::add);
            } else {
                for (InvoiceLine l : inv.lines()) {
                    BigDecimal left = creditable.get(l.lineId()).subtract(already.getOrDefault(l.lineId(), BigDecimal.ZERO));
                    if (left.signum() > 0) {
                        requested.add(JsonNodeFactory.instance.objectNode().put("line_id", l.lineId()));
                    }
                }
            }
            for (int i = 0; i < requested.size(); i++) {
                JsonNode r = requested.get(i);
                String lineId = r.path("line_id").asText("");
                InvoiceLine l = inv.line(lineId).orElseThrow(() -> new ValidationException("lines", "no line '" + lineId + "'"));
                BigDecimal left = creditable.get(lineId).subtract(already.getOrDefault(lineId, BigDecimal.ZERO));
                BigDecimal amount;
                try {
                    amount = r.hasNonNull("amount") ? DecimalInput.of(r.get("amount"), DecimalInput.AMOUNTS) : left;
                } catch (InvalidInputException e) {
                    throw new ValidationException("lines[" + i + "].amount", e.problem());
                }
                if (amount.signum() <= 0 || amount.compareTo(left) > 0
                        || !RoundingRule.isRounded(amount, inv.totals().currency())) {
                    throw new ValidationException("lines[" + i + "].amount", "must be positive, in the currency's "
                            + "minor unit, and at most what is left to credit on the line (" + left.toPlainString() + ")");
                }
                lines.addObject().put("line_id", lineId).put("amount", amount.toPlainString());
                total = total.add(amount);
            }
            if (lines.isEmpty()) {
                throw new BillingConflictException("nothing is left to credit on this invoice");
            }
            // tax follows the credited lines: each rate on the credited subtotal, never more than the invoice's tax
            // of that rate still uncredited, and exactly that when the note leaves nothing of the lines to credit
            boolean creditsEverything = inv.lines().stream().allMatch(l -> {
                BigDecimal credited = already.getOrDefault(l.lineId(), BigDecimal.ZERO);
                for (JsonNode n : lines) {
                    if (n.get("line_id").asText().equals(l.lineId())) {
                        credited = credited.add(new BigDecimal(n.get("amount").asText()));
                    }
                }
                BigDecimal own = creditable.get(l.lineId());
                return own.signum() <= 0 || credited.compareTo(own) >= 0;
            });
            ArrayNode taxes = JsonNodeFactory.instance.arrayNode();
            BigDecimal subtotal = total;
            for (dev.tally.core.money.TaxLine t : inv.totals().taxes()) {
                BigDecimal left = t.amount().amount().subtract(taxAlready.getOrDefault(t.rate().name(), BigDecimal.ZERO));
                BigDecimal tax = creditsEverything ? left : t.rate().taxOn(new Money(subtotal, inv.totals().currency()))
                        .amount().min(left);
                if (tax.signum() > 0) {
                    taxes.addObject().put("name", t.rate().name()).put("percent", t.rate().percent().toPlainString())
                            .put("amount", tax.toPlainString());
                    total = total.add(tax);
                }
            }
            String id = "cn_" + UUID.randomUUID().toString().replace("-", "");
            ObjectNode stored = JsonNodeFactory.instance.objectNode();
            stored.set("lines", lines);
            stored.put("subtotal", subtotal.toPlainString());
            stored.set("taxes", taxes);
            stored.put("refund", toWallet ? "wallet" : "money");
            String reason = text(body, "reason").orElse("");
            Money refund = new Money(total, inv.totals().currency());
            store.db().inTransaction(c -> {
                String number = store.insertCreditNote(tenant, id, invoiceId, reason, refund, stored, now());
                if (toWallet) {
                    credits.refundCreditNote(tenant, inv.customer(), id, number, refund);
                }
                return null;
            });
            return store.creditNotes(tenant, invoiceId).stream().filter(n -> n.get("id").asText().equals(id))
                    .findFirst().orElseThrow();
        }
    }

    public List<JsonNode> creditNotes(String tenant, String invoiceId) {
        return store.creditNotes(tenant, invoiceId);
    }

    // ---- live estimate

    /**
     * The current period of each of a customer's live subscriptions, priced as the invoices will price it: the same
     * lines, the same prorated allowances; each in-advance fee names the invoice it is already on.
     */
    public List<UsageEstimate> currentUsage(String tenant, String customerId) {
        usage.sync();
        Customer base = customer(tenant, customerId);
        Instant now = now();
        List<UsageEstimate> out = new ArrayList<>();
        for (Subscription s : store.subscriptionsOf(tenant, customerId)) {
            if (!s.activeAt(now)) {
                continue;
            }
            Customer c = base.withTimezone(records.zoneAt(tenant, base, s.start()));
            Plan first = plan(tenant, s.phases().get(0));
            Period period = InvoiceComposer.periodAt(s, first, now, c.timezone());
            Map<String, InvoiceComposer.ChargeFigures> figures = new java.util.LinkedHashMap<>();
            List<InvoiceLine> arrears = composer.arrears(s, c, period,
                    s.end().filter(e -> e.isBefore(period.end())).orElse(period.end()), figures);
            List<InvoiceLine> lines = new ArrayList<>(arrears);
            List<InvoiceLine> advance = composer.advanceFees(s, c, period);
            lines.addAll(advance);
            lines.addAll(discounts.discounts(s, c, period, period.end(), lines));
            List<Invoice> invoices = store.invoicesOfSubscription(tenant, s.id()).stream()
                    .filter(i -> i.status() != InvoiceStatus.VOID).toList();
            Plan current = plan(tenant, s.phaseAt(now));
            List<ChargeEstimate> charges = new ArrayList<>();
            BigDecimal alreadyInvoiced = BigDecimal.ZERO;
            java.util.Set<String> invoicedCharges = new java.util.HashSet<>();
            for (Charge ch : current.charges()) {
                List<InvoiceLine> own = lines.stream().filter(l -> l.chargeKey().equals(ch.key())).toList();
                BigDecimal amount = own.stream().map(l -> l.amount().amount()).reduce(BigDecimal.ZERO, BigDecimal::add);
                if (ch instanceof UsageCharge uc) {
                    InvoiceComposer.ChargeFigures f = figures.getOrDefault(ch.key(), new InvoiceComposer.ChargeFigures(
                            BigDecimal.ZERO, BigDecimal.ZERO, uc.pricing().includedQuantity(), BigDecimal.ZERO));
                    Optional<BigDecimal> unitPrice = uc.pricing().dimension().isEmpty()
                            && uc.pricing().minimumAmount().isEmpty() && uc.pricing().maximumAmount().isEmpty()
                            && uc.pricing().model() instanceof dev.tally.core.pricing.UnitPrice u
                            ? Optional.of(u.unitPrice()) : Optional.empty();
                    charges.add(new ChargeEstimate(ch.key(), ch.name(), Optional.of(uc.meter()), f.quantity(),
                            f.included(), f.billable(), amount, f.includedFull(), unitPrice, own, Optional.empty()));
                } else {
                    Optional<ChargeEstimate.Invoiced> on = advance.stream().anyMatch(l -> l.chargeKey().equals(ch.key()))
                            ? invoiceWithFee(invoices, ch.key(), period) : Optional.empty();
                    if (on.isPresent()) {
                        invoicedCharges.add(ch.key());
                        // what the invoice already holds: the charge's in-advance lines (not a seat change to come)
                        alreadyInvoiced = alreadyInvoiced.add(advance.stream().filter(l -> l.chargeKey().equals(ch.key()))
                                .map(l -> l.amount().amount()).reduce(BigDecimal.ZERO, BigDecimal::add));
                    }
                    // a licensed charge's quantity is its count in force now (seats); a flat fee's is 1
                    BigDecimal quantity = ch instanceof dev.tally.core.billing.LicensedCharge l && l.setThroughApi()
                            ? quantities.history(tenant, s.id()).quantityAt(ch.key(), now) : BigDecimal.ONE;
                    charges.add(new ChargeEstimate(ch.key(), ch.name(), Optional.empty(), quantity,
                            BigDecimal.ZERO, quantity, amount, BigDecimal.ZERO, Optional.empty(), own, on));
                }
            }
            InvoiceTotals totals = InvoiceTotals.of(c.currency(), lines.stream().map(InvoiceLine::amount).toList(),
                    taxRates(s, c));
            dev.tally.core.ledger.InvoiceCredits.Estimate rest = StillToInvoice.of(s, c, period, arrears, advance, invoicedCharges, discounts,
                    commitments, taxRates(s, c));
            out.add(new UsageEstimate(s.id(), current.key(), period, c.timezone(), charges, totals, alreadyInvoiced,
                    rest));
        }
        return out;
    }

    /** The invoice (not void) that bills a flat fee for a period starting within it: the fee billed in advance. */
    private static Optional<ChargeEstimate.Invoiced> invoiceWithFee(List<Invoice> invoices, String chargeKey,
            Period period) {
        return invoices.stream().filter(i -> i.lines().stream().anyMatch(l -> l.chargeKey().equals(chargeKey)
                        && (l.kind() == dev.tally.core.billing.LineKind.FLAT_FEE
                        || l.kind() == dev.tally.core.billing.LineKind.LICENSED) && period.contains(l.period().start())))
                .findFirst().map(i -> new ChargeEstimate.Invoiced(i.id(), i.number(), i.status()));
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
