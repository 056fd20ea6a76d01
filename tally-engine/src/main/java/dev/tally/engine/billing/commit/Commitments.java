package dev.tally.engine.billing.commit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tally.core.billing.BillingCalendar;
import dev.tally.core.billing.Customer;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.commitment.MinimumTrueUp;
import dev.tally.core.commitment.PrepaidDrawdown;
import dev.tally.core.commitment.TermEnd;
import dev.tally.core.input.DecimalInput;
import dev.tally.core.input.InstantInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.core.ledger.EntryKind;
import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.InvalidLedgerException;
import dev.tally.core.ledger.LedgerEntry;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import dev.tally.core.money.RoundingRule;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.billing.BillingConflictException;
import dev.tally.engine.billing.BillingNotFoundException;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.LedgerReconciliation.Difference;
import dev.tally.engine.billing.Phase;
import dev.tally.engine.billing.Subscription;
import dev.tally.engine.credit.Credits;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The commitments of subscriptions (see docs/COMMITMENTS.md): making and reading them, the lines they add to an
 * invoice being composed ({@link #charges} before discounts, {@link #drawdowns} last), and what finalizing ({@link #finalized}) and voiding ({@link #voided}) an
 * invoice does to a prepaid commitment's ledger. Guarantees: a minimum's true-up is {@code max(charges, minimum) −
 * charges} of the period, never negative; a prepaid commitment never pays more than is left of it, its ledger is
 * checked whole by {@link Wallet} on every write, and each drawdown line of a finalized invoice is exactly one ledger
 * entry (idempotency keys), given back exactly once when the invoice is voided; the end of a term is applied once.
 * Every write joins the caller's transaction when there is one (billing finalizes an invoice and draws its commitment
 * atomically).
 */
public final class Commitments {
    /** The lines a commitment writes; they are never themselves paid by, or counted toward, a commitment. */
    static final Set<LineKind> OWN_KINDS = EnumSet.of(LineKind.COMMITMENT_TRUE_UP, LineKind.COMMITMENT_FEE,
            LineKind.COMMITMENT_DRAWDOWN, LineKind.COMMITMENT_OVERAGE);
    private static final Set<String> FIELDS = Set.of("type", "name", "amount", "starts_at", "ends_at", "overage_rate",
            "at_term_end", "invoicing");
    private static final BigDecimal MAX_RATE = new BigDecimal("100");

    private final CommitmentStore store;
    private final Clock clock;
    private final Credits credits;
    private final BiFunction<String, Phase, Plan> plans;
    private final Function<Subscription, Customer> billingCustomer;
    private final BiFunction<String, String, Subscription> subscriptions;

    /**
     * @param plans a plan version by tenant and phase
     * @param billingCustomer the customer of a subscription as its billing sees it (the time zone at its start)
     * @param subscriptions a subscription by tenant and id
     */
    public Commitments(dev.tally.engine.store.Database db, Clock clock, Credits credits,
            BiFunction<String, Phase, Plan> plans, Function<Subscription, Customer> billingCustomer,
            BiFunction<String, String, Subscription> subscriptions) {
        this.store = new CommitmentStore(db);
        this.clock = clock;
        this.credits = credits;
        this.plans = plans;
        this.billingCustomer = billingCustomer;
        this.subscriptions = subscriptions;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    // ---- reading

    /** A subscription's commitments, by start then creation. */
    public List<Commitment> of(String tenant, String subscriptionId) {
        return store.ofSubscription(tenant, subscriptionId);
    }

    /**
     * One commitment of a subscription.
     *
     * @throws BillingNotFoundException if the subscription has none with this id
     */
    public Commitment get(String tenant, String subscriptionId, String id) {
        return store.get(tenant, id).filter(m -> m.subscription().equals(subscriptionId)).orElseThrow(() ->
                new BillingNotFoundException("subscription '" + subscriptionId + "' has no commitment '" + id + "'"));
    }

    /** A prepaid commitment's ledger (its grant and entries); empty for a minimum. */
    public Optional<Wallet> ledger(Commitment m) {
        return m.type() == Commitment.Type.PREPAID ? Optional.of(store.ledger(m)) : Optional.empty();
    }

    // ---- making

    /**
     * Makes a commitment on a subscription from its JSON (see docs/COMMITMENTS.md for the fields and defaults). A
     * prepaid commitment opens its ledger with one grant entry of its amount; one starting at the subscription's start
     * before anything is invoiced moves the subscription's next invoice to its start, so the commitment is invoiced up
     * front there.
     *
     * @throws ValidationException if a field is missing or invalid (400, naming it)
     * @throws BillingConflictException if it overlaps a commitment of the same type, or the subscription has ended
     */
    public Commitment create(String tenant, Subscription s, JsonNode body, String source) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("", "the body must be a JSON object");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw new ValidationException(f, "is not a field of a commitment");
            }
        });
        Commitment.Type type = Commitment.Type.fromWireName(text(body, "type").orElse("")).orElseThrow(() ->
                new ValidationException("type", "must be \"minimum\" or \"prepaid\""));
        boolean prepaid = type == Commitment.Type.PREPAID;
        Customer c = billingCustomer.apply(s);
        Calendar cal = new Calendar(s, c, plans.apply(tenant, s.phases().get(0)));
        Instant now = now();
        if (s.end().isPresent() && !s.end().get().isAfter(now)) {
            throw new BillingConflictException("subscription-ended", "the subscription has ended");
        }
        String name = text(body, "name").orElse(prepaid ? "Prepaid commitment" : "Minimum commitment");
        if (name.isBlank() || name.length() > 200) {
            throw new ValidationException("name", "must be 1 to 200 characters");
        }
        BigDecimal amount = decimal(body, "amount").orElseThrow(() -> new ValidationException("amount", "is required"));
        if (amount.signum() < 0 || amount.signum() == 0 && prepaid || !RoundingRule.isRounded(amount, c.currency())) {
            throw new ValidationException("amount", "must be " + (prepaid ? "positive" : "zero or more")
                    + " and in the minor unit of " + c.currency().getCurrencyCode());
        }
        Optional<Instant> last = store.lastInvoiceBoundary(tenant, s.id());
        Instant startsAt = instant(body, "starts_at").orElseGet(() -> prepaid ? cal.firstUpFront(last) : cal.firstOpen(last));
        if (!cal.isBoundary(startsAt)) {
            throw new ValidationException("starts_at", "must be the start of one of the subscription's billing periods");
        }
        if (prepaid ? !cal.upFrontAllowed(startsAt, last) : startsAt.isBefore(cal.firstOpen(last))) {
            throw new ValidationException("starts_at", prepaid
                    ? "must be a period start not yet invoiced and after any trial (the commitment is invoiced there)"
                    : "must not be before the subscription's first period not yet invoiced");
        }
        if (s.end().isPresent() && !startsAt.isBefore(s.end().get())) {
            throw new ValidationException("starts_at", "must be before the subscription ends");
        }
        Optional<Instant> endsAt = instant(body, "ends_at");
        if (prepaid && endsAt.isEmpty()) {
            throw new ValidationException("ends_at", "is required for a prepaid commitment (the end of its term)");
        }
        if (endsAt.isPresent() && (!endsAt.get().isAfter(startsAt) || !cal.isBoundary(endsAt.get()))) {
            throw new ValidationException("ends_at", "must be the end of one of the subscription's billing periods, "
                    + "after starts_at");
        }
        BigDecimal rate = BigDecimal.ONE;
        TermEnd atEnd = TermEnd.FORFEIT;
        if (prepaid) {
            rate = decimal(body, "overage_rate").orElse(BigDecimal.ONE);
            if (rate.signum() < 0 || rate.compareTo(MAX_RATE) > 0) {
                throw new ValidationException("overage_rate", "must be 0 to 100 (1 is list price)");
            }
            String end = text(body, "at_term_end").orElse("forfeit");
            atEnd = TermEnd.fromWireName(end).orElseThrow(() -> new ValidationException("at_term_end",
                    "must be \"forfeit\", \"rollover\" or \"credit\""));
            if (!text(body, "invoicing").orElse("up_front").equals("up_front")) {
                throw new ValidationException("invoicing", "must be \"up_front\" (installments are not supported yet)");
            }
        } else {
            for (String f : List.of("overage_rate", "at_term_end", "invoicing")) {
                if (body.has(f)) {
                    throw new ValidationException(f, "applies to prepaid commitments only");
                }
            }
        }
        Period term = new Period(startsAt, endsAt.orElse(Instant.MAX));
        for (Commitment other : store.ofSubscription(tenant, s.id())) {
            // minimums are versions: a later start supersedes from that start; prepaid terms never overlap
            boolean clash = prepaid ? other.type() == type && other.term().intersect(term).isPresent()
                    : other.type() == type && other.startsAt().equals(startsAt);
            if (clash) {
                throw new BillingConflictException("commitment-overlap", "the subscription has a " + type.wireName()
                        + " commitment (" + other.id() + ") " + (prepaid ? "for part of this term" : "from the same start"));
            }
        }
        Commitment m = new Commitment(id("cm_"), tenant, s.id(), s.customer(), type, name, new Money(amount, c.currency()),
                startsAt, endsAt, rate, atEnd, prepaid ? Optional.of(startsAt) : Optional.empty(), Optional.empty(),
                source, now);
        store.db().inTransaction(conn -> {
            store.insert(conn, m);
            if (prepaid) {
                open(conn, m, now);
                if (startsAt.equals(s.start())) {
                    store.billFromStart(conn, tenant, s.id(), s.start());
                }
            }
            return null;
        });
        return m;
    }

    /** Opens a prepaid commitment's ledger: its grant entry, exactly its amount. */
    private void open(Connection conn, Commitment m, Instant now) throws SQLException {
        store.lock(conn, m.id());
        Grant g = m.grant();
        LedgerEntry opening = new LedgerEntry(id("ce_"), 1, g.id(), EntryKind.GRANT, g.amount(), m.startsAt(),
                m.name(), m.source(), Optional.empty(), Optional.empty());
        Wallet.empty(m.amount().currency()).plus(g, opening);
        store.insertEntry(conn, m.tenant(), opening, "commitment:" + m.id(), now);
    }

    // ---- composing invoices

    /**
     * The period an invoice closes, as the minimum commitment sees it: the period, the part of it the subscription is
     * billed for (after a trial, before an end; empty when none), its nominal period (the proration denominator) and
     * the period's charges before discounts, credits and tax (its usage and in-arrears fees, its in-advance fees
     * wherever billed, and their prorations).
     */
    public record ClosingPeriod(Period period, Optional<Period> billed, Period nominal, List<InvoiceLine> charges) {
        public ClosingPeriod {
            java.util.Objects.requireNonNull(period, "period");
            java.util.Objects.requireNonNull(billed, "billed");
            java.util.Objects.requireNonNull(nominal, "nominal");
            charges = List.copyOf(charges);
        }
    }

    /**
     * The commitment lines of an invoice that are charges, added after the plan's lines and before discounts: the
     * minimum's true-up of the period the invoice closes ({@code closing}; empty for an opening invoice), and the corrections of earlier periods' true-ups
     * after late usage ({@code reopened}, asked for only when the subscription has a minimum).
     */
    public List<InvoiceLine> charges(Subscription s, Customer c, Instant boundary, Optional<ClosingPeriod> closing,
            java.util.function.Supplier<List<ClosingPeriod>> reopened) {
        List<Commitment> all = store.ofSubscription(s.tenant(), s.id());
        if (all.isEmpty()) {
            return List.of();
        }
        Phase phase = phase(s, boundary);
        List<InvoiceLine> out = new ArrayList<>();
        if (closing.isPresent() && closing.get().billed().isPresent()) {
            ClosingPeriod p = closing.get();
            for (Commitment m : minimumFor(all, p.period().start())) {
                Money charges = sum(c, p.charges().stream().filter(l -> !OWN_KINDS.contains(l.kind())).toList());
                Money minimum = MinimumTrueUp.prorated(m.amount().amount(), p.billed().get(), p.nominal(), c.timezone(),
                        c.currency());
                MinimumTrueUp t = MinimumTrueUp.of(charges, minimum);
                if (t.trueUp().amount().signum() > 0) {
                    out.add(CommitmentLines.trueUp(m, t, p.billed().get(), p.nominal(), c.timezone(), phase));
                }
            }
        }
        if (all.stream().anyMatch(m -> m.type() == Commitment.Type.MINIMUM)) {
            out.addAll(trueUpCorrections(s, c, boundary, all, reopened.get(), phase));
        }
        return out;
    }

    /**
     * The prepaid commitments' lines of an invoice, added last, after every other line ({@code lines}: charges,
     * true-ups and discounts): the up-front fee of each prepaid commitment invoiced at {@code boundary} (never
     * discounted), then for each prepaid commitment the drawdown of the lines of its term (their
     * sum, negative lines and discounts netted) from what is left of it, and the overage on what it cannot pay when
     * its rate is not 1. Nothing is written: drawdowns are entered when the invoice is finalized.
     */
    public List<InvoiceLine> drawdowns(Subscription s, Customer c, Instant boundary, List<InvoiceLine> lines) {
        List<Commitment> all = store.ofSubscription(s.tenant(), s.id());
        if (all.stream().noneMatch(m -> m.type() == Commitment.Type.PREPAID)) {
            return List.of();
        }
        Phase phase = phase(s, boundary);
        List<InvoiceLine> out = new ArrayList<>();
        for (Commitment m : all) {
            if (m.type() == Commitment.Type.PREPAID && m.invoicedAt().filter(boundary::equals).isPresent()) {
                out.add(CommitmentLines.fee(m, phase));
            }
        }
        Map<String, Money> pending = null;
        for (Commitment m : all) {
            if (m.type() != Commitment.Type.PREPAID) {
                continue;
            }
            List<InvoiceLine> eligible = lines.stream().filter(l -> l.kind() != LineKind.COMMITMENT_FEE
                    && l.kind() != LineKind.COMMITMENT_DRAWDOWN && l.kind() != LineKind.COMMITMENT_OVERAGE)
                    .filter(l -> m.covers(l.period().start())).toList();
            if (eligible.isEmpty()) {
                continue;
            }
            if (pending == null) {
                pending = store.pendingDrawdowns(s.tenant(), s.id(), boundary, Optional.empty());
            }
            Money left = store.ledger(m).balanceOf(m.id()).minus(pending.getOrDefault(m.id(), Money.zero(c.currency())));
            PrepaidDrawdown d = PrepaidDrawdown.draw(left.isNegative() ? Money.zero(c.currency()) : left,
                    sum(c, eligible), m.overageRate());
            if (d.drawn().amount().signum() > 0) {
                out.add(CommitmentLines.drawdown(m, d, phase));
            }
            if (d.overage().amount().signum() != 0) {
                out.add(CommitmentLines.overage(m, d, phase));
            }
        }
        return out;
    }

    private static Phase phase(Subscription s, Instant boundary) {
        return s.phaseAt(boundary.minusNanos(1).isBefore(s.start()) ? s.start() : boundary.minusNanos(1));
    }

    /**
     * Late usage of an earlier finalized period a minimum covers: the period's true-up is recomputed from its charges
     * re-rated now, and the difference from what its invoices already billed for the minimum (its true-up and earlier
     * corrections) is one {@code adjustment} line naming the commitment and the period. So a period stays due exactly
     * {@code max(charges, minimum)} however late its usage arrives within the look-back.
     */
    private List<InvoiceLine> trueUpCorrections(Subscription s, Customer c, Instant boundary, List<Commitment> all,
            List<ClosingPeriod> reopened, Phase phase) {
        List<InvoiceLine> out = new ArrayList<>();
        List<CommitmentStore.StoredInvoice> invoices = null;
        for (ClosingPeriod p : reopened) {
            if (p.billed().isEmpty()) {
                continue;
            }
            for (Commitment m : minimumFor(all, p.period().start())) {
                if (invoices == null) {
                    invoices = store.invoicesOf(s.tenant(), s.id());
                }
                Money charges = sum(c, p.charges().stream().filter(l -> !OWN_KINDS.contains(l.kind())).toList());
                Money minimum = MinimumTrueUp.prorated(m.amount().amount(), p.billed().get(), p.nominal(), c.timezone(),
                        c.currency());
                Money due = MinimumTrueUp.of(charges, minimum).trueUp();
                Money billed = Money.zero(c.currency());
                for (CommitmentStore.StoredInvoice inv : invoices) {
                    if (!inv.boundary().isBefore(boundary) || !(inv.status().equals("finalized") || inv.status().equals("paid"))) {
                        continue;
                    }
                    for (InvoiceLine l : inv.lines()) {
                        if (l.chargeKey().equals(m.id()) && (l.kind() == LineKind.COMMITMENT_TRUE_UP
                                && p.period().contains(l.period().start())
                                || l.kind() == LineKind.ADJUSTMENT && l.adjustsPeriod().equals(Optional.of(p.period())))) {
                            billed = billed.plus(l.amount());
                        }
                    }
                }
                Money diff = due.minus(billed);
                if (!diff.isZero()) {
                    out.add(CommitmentLines.trueUpCorrection(m, p.period(), minimum, charges, diff, phase));
                }
            }
        }
        return out;
    }

    /**
     * The minimum in force for the period starting at {@code periodStart}: of the minimums covering it, the one
     * that started last (a later minimum supersedes an earlier one from its start); none, or one of 0.00.
     */
    private static List<Commitment> minimumFor(List<Commitment> all, Instant periodStart) {
        return all.stream().filter(m -> m.type() == Commitment.Type.MINIMUM && m.covers(periodStart))
                .max(java.util.Comparator.comparing(Commitment::startsAt).thenComparing(Commitment::createdAt))
                .filter(m -> m.amount().amount().signum() > 0).map(List::of).orElse(List.of());
    }

    private static Money sum(Customer c, List<InvoiceLine> lines) {
        return Money.sum(c.currency(), lines.stream().map(InvoiceLine::amount).toList());
    }

    // ---- finalizing and voiding

    /**
     * Whether what is left of each prepaid commitment still covers the drawdown lines of a draft about to be
     * finalized (false when another invoice drew it first: the draft is composed again before it is finalized).
     */
    public boolean covers(Invoice draft) {
        for (Map.Entry<String, Money> e : drawdowns(draft.lines()).entrySet()) {
            Optional<Commitment> m = store.get(draft.tenant(), e.getKey());
            if (m.isEmpty() || store.ledger(m.get()).balanceOf(m.get().id()).compareTo(e.getValue()) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Enters what an invoice being finalized drew from each prepaid commitment (one {@code drawdown} entry per
     * commitment, once), then ends the terms this invoice closes (the first invoice at or after the end of the term, or
     * at the subscription's end), in the caller's transaction.
     */
    public void finalized(Invoice inv, String number, Instant at) {
        List<Commitment> all = store.ofSubscription(inv.tenant(), inv.subscriptionId());
        if (all.stream().noneMatch(m -> m.type() == Commitment.Type.PREPAID)) {
            return;
        }
        store.db().inTransaction(conn -> {
            for (Map.Entry<String, Money> e : drawdowns(inv.lines()).entrySet()) {
                Commitment m = all.stream().filter(x -> x.id().equals(e.getKey())).findFirst().orElseThrow(() ->
                        new IllegalStateException("invoice " + inv.id() + " draws an unknown commitment " + e.getKey()));
                store.lock(conn, m.id());
                Wallet w = store.ledger(m);
                if (w.entries().stream().anyMatch(x -> x.kind() == EntryKind.DRAWDOWN
                        && x.invoiceId().equals(Optional.of(inv.id())))) {
                    continue;
                }
                add(conn, m, w, EntryKind.DRAWDOWN, e.getValue().negate(), at, "Invoice " + number,
                        "invoice:" + inv.id(), Optional.of(inv.id()), Optional.empty(), "drawdown:" + inv.id() + ":" + m.id());
            }
            Subscription s = subscriptions.apply(inv.tenant(), inv.subscriptionId());
            boolean earlierDraft = store.invoicesOf(inv.tenant(), s.id()).stream().anyMatch(o -> o.status().equals("draft")
                    && !o.id().equals(inv.id()) && !o.boundary().isAfter(inv.boundary()));
            if (!earlierDraft) {
                for (Commitment m : all) {
                    if (m.type() == Commitment.Type.PREPAID && !inv.boundary().isBefore(termOver(m, s))) {
                        closeTerm(conn, m, s, at, false);
                    }
                }
            }
            return null;
        });
    }

    /**
     * Gives back what a voided invoice drew from each prepaid commitment (one {@code reversal} per drawdown, once);
     * when the term is already over, what comes back is ended by the term's rule again (a rollover as a credit grant),
     * in the caller's transaction.
     */
    public void voided(Invoice inv, String number, Instant at) {
        List<Commitment> all = store.ofSubscription(inv.tenant(), inv.subscriptionId());
        if (all.stream().noneMatch(m -> m.type() == Commitment.Type.PREPAID)) {
            return;
        }
        store.db().inTransaction(conn -> {
            Subscription s = subscriptions.apply(inv.tenant(), inv.subscriptionId());
            for (Commitment m : all) {
                if (m.type() != Commitment.Type.PREPAID) {
                    continue;
                }
                store.lock(conn, m.id());
                Wallet w = store.ledger(m);
                List<LedgerEntry> open = w.openDrawdownsOf(inv.id());
                for (LedgerEntry d : open) {
                    w = add(conn, m, w, EntryKind.REVERSAL, d.amount().negate(), at, "Invoice " + number + " voided",
                            "invoice:" + inv.id(), Optional.of(inv.id()), Optional.of(d.id()), "reversal:" + d.id());
                }
                if (!open.isEmpty() && !at.isBefore(termOver(m, s))) {
                    closeTerm(conn, m, s, at, true);
                }
            }
            return null;
        });
    }

    /** When a term is over: its end, or the subscription's end if that comes first. */
    private static Instant termOver(Commitment m, Subscription s) {
        Instant end = m.endsAt().orElseThrow();
        return s.end().filter(e -> e.isBefore(end)).orElse(end);
    }

    /**
     * Ends a prepaid commitment's term: what is left of it is forfeited (an {@code expiry} entry), granted to the
     * customer's credit wallet, or rolled over into a new commitment over a next term of the same number of billing
     * periods (not invoiced; forfeited at its own end). A term is ended once; what a later void gives back is ended
     * again ({@code again}), a rollover then becoming a credit grant.
     */
    private void closeTerm(Connection conn, Commitment m, Subscription s, Instant at, boolean again) throws SQLException {
        store.lock(conn, m.id());
        Wallet w = store.ledger(m);
        boolean ended = w.entries().stream().anyMatch(e -> e.kind() == EntryKind.EXPIRY);
        if (ended && !again) {
            return;
        }
        Money left = w.balanceOf(m.id());
        if (left.amount().signum() <= 0) {
            return;
        }
        TermEnd rule = m.atTermEnd();
        Instant end = m.endsAt().orElseThrow();
        if (rule == TermEnd.ROLLOVER && (again || s.end().filter(e -> !e.isAfter(end)).isPresent())) {
            rule = TermEnd.CREDIT;
        }
        String reason;
        switch (rule) {
            case FORFEIT -> reason = "Forfeited at the end of the term";
            case CREDIT -> {
                Grant g = credits.grant(m.tenant(), m.customer(), new Credits.GrantRequest(left, Grant.DEFAULT_PRIORITY,
                        Optional.empty(), Optional.empty(), Set.of(), Funding.PAID, Optional.of(left),
                        "Rollover of " + m.name() + " (" + m.id() + ")"), "commitment:" + m.id());
                reason = "Rolled over to credit grant " + g.id();
            }
            case ROLLOVER -> {
                Customer c = billingCustomer.apply(s);
                Calendar cal = new Calendar(s, c, plans.apply(s.tenant(), s.phases().get(0)));
                Instant nextEnd = cal.after(end, cal.periodsBetween(m.startsAt(), end));
                Commitment next = new Commitment(id("cm_"), m.tenant(), m.subscription(), m.customer(),
                        Commitment.Type.PREPAID, m.name() + " (rolled over)", left, end, Optional.of(nextEnd),
                        m.overageRate(), TermEnd.FORFEIT, Optional.empty(), Optional.of(m.id()), "commitment:" + m.id(), at);
                store.insert(conn, next);
                open(conn, next, at);
                reason = "Rolled over to commitment " + next.id();
            }
            default -> throw new IllegalStateException();
        }
        add(conn, m, w, EntryKind.EXPIRY, left.negate(), again ? at : end, reason, "term_end",
                Optional.empty(), Optional.empty(), "term-end:" + m.id() + ":" + w.nextSequence());
    }

    private Wallet add(Connection conn, Commitment m, Wallet w, EntryKind kind, Money amount, Instant at, String reason,
            String source, Optional<String> invoice, Optional<String> reverses, String key) throws SQLException {
        LedgerEntry e = new LedgerEntry(id("ce_"), w.nextSequence(), m.id(), kind, amount, at, reason, source, invoice,
                reverses);
        Wallet after = w.plus(e);
        if (!store.insertEntry(conn, m.tenant(), e, key, at)) {
            throw new BillingConflictException("the commitment entry " + key + " exists (written concurrently)");
        }
        return after;
    }

    /** The drawdown lines of an invoice, summed per commitment (positive). */
    private static Map<String, Money> drawdowns(List<InvoiceLine> lines) {
        Map<String, Money> out = new java.util.TreeMap<>();
        for (InvoiceLine l : lines) {
            if (l.kind() == LineKind.COMMITMENT_DRAWDOWN) {
                out.merge(l.chargeKey(), l.amount().negate(), Money::plus);
            }
        }
        return out;
    }

    // ---- reconciliation

    /**
     * Proves a tenant's prepaid commitments against its invoices: each ledger rebuilds from its stored entries (never
     * below zero, each reversal giving back one drawdown once); every drawdown entry names an invoice of the
     * commitment's subscription that is not a draft, and each such invoice's drawdown lines for the commitment are
     * exactly its drawdown entries (so every drawdown is on exactly one finalized invoice); a void invoice's drawdowns
     * are all reversed; an up-front commitment is billed on at most one invoice that is not void.
     */
    public List<Difference> reconcile(String tenant) {
        List<Difference> out = new ArrayList<>();
        Map<String, List<CommitmentStore.StoredInvoice>> invoices = new HashMap<>();
        for (Commitment m : store.ofTenant(tenant)) {
            if (m.type() != Commitment.Type.PREPAID) {
                continue;
            }
            Wallet w;
            try {
                w = store.ledger(m);
            } catch (InvalidLedgerException e) {
                out.add(new Difference("commitment " + m.id(), "a consistent ledger", e.getMessage()));
                continue;
            }
            Map<String, Money> drawn = new HashMap<>();
            for (LedgerEntry e : w.entries()) {
                if (e.kind() == EntryKind.DRAWDOWN) {
                    drawn.merge(e.invoiceId().orElseThrow(), e.amount().negate(), Money::plus);
                }
            }
            List<CommitmentStore.StoredInvoice> ofSub = invoices.computeIfAbsent(m.subscription(),
                    k -> store.invoicesOf(tenant, k));
            int fees = 0;
            for (CommitmentStore.StoredInvoice inv : ofSub) {
                Money listed = drawdowns(inv.lines()).getOrDefault(m.id(), Money.zero(m.amount().currency()));
                Money entered = Optional.ofNullable(drawn.remove(inv.id())).orElse(Money.zero(m.amount().currency()));
                if (inv.status().equals("draft")) {
                    if (!entered.isZero()) {
                        out.add(new Difference("drawdown of " + m.id() + " on " + inv.id(), "a finalized invoice",
                                "a draft"));
                    }
                    continue;
                }
                if (!listed.equals(entered)) {
                    out.add(new Difference("commitment " + m.id() + " on invoice " + inv.id(), "drawdown " + listed,
                            "ledger drawdown " + entered));
                }
                if (inv.status().equals("void") && !w.openDrawdownsOf(inv.id()).isEmpty()) {
                    out.add(new Difference("void invoice " + inv.id(), "every drawdown of " + m.id() + " reversed",
                            "drawdowns left"));
                }
                if (!inv.status().equals("void")) {
                    fees += (int) inv.lines().stream().filter(l -> l.kind() == LineKind.COMMITMENT_FEE
                            && l.chargeKey().equals(m.id())).count();
                }
            }
            drawn.forEach((inv, amount) -> out.add(new Difference("drawdown of " + m.id() + " for " + inv,
                    "an invoice of subscription " + m.subscription(), "no such invoice: " + amount)));
            if (fees > 1) {
                out.add(new Difference("commitment " + m.id(), "invoiced up front once", "on " + fees + " invoices"));
            }
        }
        return out;
    }

    // ---- helpers

    /** The billing periods of one subscription, as its invoices cut them. */
    private static final class Calendar {
        final Subscription s;
        final Customer c;
        final Plan first;

        Calendar(Subscription s, Customer c, Plan first) {
            this.s = s;
            this.c = c;
            this.first = first;
        }

        Period at(Instant t) {
            return BillingCalendar.periodContaining(s.start(), t, c.timezone(), first.interval(), s.anchor());
        }

        boolean isBoundary(Instant t) {
            return !t.isBefore(s.start()) && (t.equals(s.start()) || at(t).start().equals(t));
        }

        /** The start of the first period whose closing invoice is not issued yet. */
        Instant firstOpen(Optional<Instant> last) {
            Instant x = last.filter(b -> b.isAfter(s.start())).orElse(s.start());
            return at(x).start();
        }

        /** Whether a prepaid term may start (and be invoiced up front) at a period start. */
        boolean upFrontAllowed(Instant t, Optional<Instant> last) {
            if (t.equals(s.start())) {
                return last.isEmpty() && s.trialEnd().isEmpty();
            }
            return last.map(t::isAfter).orElse(true) && s.trialEnd().map(e -> !t.isBefore(e)).orElse(true);
        }

        Instant firstUpFront(Optional<Instant> last) {
            if (last.isEmpty() && s.trialEnd().isEmpty()) {
                return s.start();
            }
            Instant t = at(last.filter(b -> b.isAfter(s.start())).orElse(s.start())).end();
            while (!upFrontAllowed(t, last)) {
                t = at(t).end();
            }
            return t;
        }

        int periodsBetween(Instant from, Instant to) {
            int n = 0;
            for (Instant t = from; t.isBefore(to); t = at(t).end()) {
                n++;
            }
            return n;
        }

        Instant after(Instant from, int periods) {
            Instant t = from;
            for (int i = 0; i < periods; i++) {
                t = at(t).end();
            }
            return t;
        }
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw new ValidationException(field, "must be a string");
        }
        return Optional.of(n.asText());
    }

    private static Optional<BigDecimal> decimal(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        try {
            return Optional.of(DecimalInput.of(n, DecimalInput.AMOUNTS));
        } catch (InvalidInputException e) {
            throw new ValidationException(field, e.problem());
        }
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
