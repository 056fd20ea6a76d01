package dev.tally.engine.payment.dunning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingNotFoundException;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.entitlement.Entitlements;
import dev.tally.engine.entitlement.SuspensionMode;
import dev.tally.engine.notify.Outbox;
import dev.tally.engine.notify.WebhookEventTypes;
import dev.tally.engine.payment.PaymentConflictException;
import dev.tally.engine.payment.PaymentFact;
import dev.tally.engine.payment.PaymentJson;
import dev.tally.engine.payment.PaymentStatus;
import dev.tally.engine.payment.PaymentSummary;
import dev.tally.engine.payment.Payments;
import dev.tally.engine.payment.RetryOutcome;
import dev.tally.engine.store.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dunning facade. {@link #run} does, for one tenant, every step of its policy that is due now and lifts the
 * suspensions whose invoice is settled; each step is done in one transaction that first inserts the step's row under
 * its unique (tenant, invoice, step) key, then does what the step does (a webhook message, a retry through
 * {@link Payments#retry}, i.e. the provider that collects the invoice, with the idempotency key
 * {@code dunning:<invoice>:<step>}, a suspension), so a step happens once
 * however often, and in however many processes, {@code run} is called; a step whose transaction fails is tried again
 * on the next run. A new payment that settles an invoice lifts its suspension at once. {@link #retryNow} is the
 * retry button. See docs/PAYMENTS.md.
 */
public final class Dunning {
    private static final Logger LOG = LoggerFactory.getLogger(Dunning.class);

    private final Database db;
    private final Billing billing;
    private final Payments payments;
    private final Entitlements entitlements;
    private final Clock clock;
    private final DunningStore store;

    public Dunning(Database db, Billing billing, Payments payments, Entitlements entitlements, Clock clock) {
        this.db = db;
        this.billing = billing;
        this.payments = payments;
        this.entitlements = entitlements;
        this.clock = clock;
        this.store = new DunningStore(db);
        payments.afterRecord((invoice, recorded) -> {
            if (recorded.summary().status() == PaymentStatus.SUCCEEDED) {
                try {
                    liftIfSettled(invoice.tenant(), invoice.customer(), invoice.id());
                } catch (RuntimeException e) {
                    LOG.warn("lifting the suspension of invoice {} failed; the next dunning run lifts it", invoice.id(), e);
                }
            }
        });
    }

    // ---- policy

    /** The tenant's policy, or {@link DunningPolicy#DEFAULT} (switched off) when it has none. */
    public DunningPolicy policy(String tenant) {
        return store.policy(tenant).orElse(DunningPolicy.DEFAULT);
    }

    /** Replaces the tenant's policy; throws {@link InvalidDunningPolicyException} for an invalid one. */
    public DunningPolicy putPolicy(String tenant, JsonNode body) {
        DunningPolicy p = DunningJson.readPolicy(body);
        store.putPolicy(tenant, p, clock.instant());
        return p;
    }

    // ---- running

    /** Runs every given tenant, one failing tenant never stopping the others; returns the steps done. */
    public int runAll(List<String> tenants) {
        int n = 0;
        for (String t : tenants) {
            try {
                n += run(t);
            } catch (RuntimeException e) {
                LOG.warn("dunning run of tenant {} failed", t, e);
            }
        }
        return n;
    }

    /**
     * Does the tenant's due steps and lifts settled suspensions now; returns how many steps this call did. Once a
     * provider is unavailable to one retry, the run asks no provider again (the later invoices' retries, and the
     * steps after them, wait for the next run), so an outage costs a run one provider timeout, not one per invoice.
     */
    public int run(String tenant) {
        DunningPolicy policy = policy(tenant);
        int done = 0;
        boolean[] providerDown = {false};
        if (policy.enabled()) {
            for (String id : store.unpaid(tenant, Optional.empty(), Optional.empty())) {
                try {
                    done += runInvoice(tenant, policy, id, providerDown);
                } catch (ProviderUnavailableException e) {
                    providerDown[0] = true;
                    LOG.info("dunning of invoice {}: {}; no more retries this run", id, e.getMessage());
                } catch (RuntimeException e) {
                    LOG.warn("dunning of invoice {} failed; its due steps are tried again on the next run", id, e);
                }
            }
        }
        for (String[] cause : store.suspendedCauses(tenant)) {
            done += liftIfSettled(tenant, cause[0], cause[1]) ? 1 : 0;
        }
        return done;
    }

    private int runInvoice(String tenant, DunningPolicy policy, String id, boolean[] providerDown) {
        Invoice invoice = billing.invoice(tenant, id);
        PaymentSummary summary = payments.summary(invoice);
        List<PaymentFact> facts = payments.facts(tenant, id);
        ZoneId zone = zone(tenant, invoice.customer());
        Instant now = clock.instant();
        int n = 0;
        for (DunningSchedule.Planned p : DunningSchedule.due(policy, invoice, summary, facts, zone,
                store.stepKeys(tenant, id), now)) {
            if (providerDown[0] && p.kind() == DunningStep.Kind.RETRY) {
                break; // steps stay in order: this retry, and what follows it, wait for the next run
            }
            n += execute(policy, invoice, summary, facts, zone, p, now) ? 1 : 0;
        }
        return n;
    }

    private boolean execute(DunningPolicy policy, Invoice inv, PaymentSummary s, List<PaymentFact> facts, ZoneId zone,
            DunningSchedule.Planned p, Instant now) {
        DunningStep step = new DunningStep(newId(), inv.tenant(), inv.id(), inv.customer(), p.step(), p.kind(), p.dueAt(),
                now, JsonNodeFactory.instance.objectNode());
        boolean[] suspended = {false};
        // The provider is asked before the step's transaction opens, so a slow provider never holds a database
        // transaction (on the embedded store: the one metadata writer). Its idempotency key is the step's own: if
        // another process records the step first, the provider has seen the same key and collects once.
        Optional<RetryOutcome> asked = Optional.empty();
        if (p.kind() == DunningStep.Kind.RETRY || p.kind() == DunningStep.Kind.MANUAL_RETRY) {
            RetryOutcome outcome = payments.retry(inv.tenant(), inv.id(), retryKey(inv, p));
            if (outcome.kind() == RetryOutcome.Kind.UNAVAILABLE && p.kind() == DunningStep.Kind.RETRY) {
                throw new ProviderUnavailableException(outcome.provider()); // nothing recorded: asked again next run
            }
            asked = Optional.of(outcome);
        }
        Optional<RetryOutcome> retried = asked;
        boolean done = db.inTransaction(c -> {
            if (!DunningStore.insert(c, step)) {
                return false;
            }
            ObjectNode detail = JsonNodeFactory.instance.objectNode();
            ObjectNode data = DunningJson.invoice(inv, s);
            data.put("step", p.step());
            data.put("kind", p.kind().wireName());
            switch (p.kind()) {
                case REMINDER_BEFORE_DUE -> {
                    detail.put("days_before_due", p.daysBeforeDue());
                    data.put("reason", "upcoming_due_date");
                    data.put("days_before_due", p.daysBeforeDue());
                    Outbox.record(c, inv.tenant(), WebhookEventTypes.INVOICE_PAYMENT_REMINDER, data, now);
                }
                case FAILURE_REMINDER -> {
                    detail.put("fact", p.fact().orElseThrow().id());
                    data.put("reason", "payment_failed");
                    data.set("fact", PaymentJson.fact(p.fact().orElseThrow()));
                    Outbox.record(c, inv.tenant(), WebhookEventTypes.INVOICE_PAYMENT_REMINDER, data, now);
                }
                case RETRY_SKIPPED -> detail.put("reason", "a later retry was due by the time this one ran");
                case RETRY, MANUAL_RETRY -> retry(c, inv, p, retried.orElseThrow(), detail, data, now);
                case UNCOLLECTIBLE -> suspended[0] = uncollectible(c, policy, inv, zone, detail, data, now);
                default -> throw new IllegalStateException("not a scheduled step: " + p.kind());
            }
            DunningStore.detail(c, step, detail);
            return true;
        });
        if (suspended[0]) {
            entitlements.suspensionChanged(inv.tenant(), inv.customer());
        }
        return done;
    }

    private static String retryKey(Invoice inv, DunningSchedule.Planned p) {
        return "dunning:" + inv.id() + ":" + p.step();
    }

    private void retry(Connection c, Invoice inv, DunningSchedule.Planned p, RetryOutcome outcome, ObjectNode detail,
            ObjectNode data, Instant now) throws SQLException {
        String key = retryKey(inv, p);
        detail.put("attempt", p.attempt());
        detail.put("provider", outcome.provider());
        detail.put("idempotency_key", key);
        detail.put("outcome", outcome.kind().wireName());
        outcome.reference().ifPresent(r -> detail.put("reference", r));
        detail.put("message", outcome.detail());
        data.put("action", "retry");
        data.put("attempt", p.attempt());
        data.set("retry", detail.deepCopy());
        Outbox.record(c, inv.tenant(), WebhookEventTypes.INVOICE_DUNNING_STEP, data, now);
        if (outcome.kind() == RetryOutcome.Kind.NOT_COLLECTED) {
            ObjectNode reminder = data.deepCopy();
            reminder.remove("action");
            reminder.put("reason", "retry");
            Outbox.record(c, inv.tenant(), WebhookEventTypes.INVOICE_PAYMENT_REMINDER, reminder, now);
        }
    }

    /** A scheduled retry's provider could not be asked: the step is undone and tried again on the next run. */
    private static final class ProviderUnavailableException extends RuntimeException {
        ProviderUnavailableException(String provider) {
            super("the " + provider + " provider could not be reached; the retry is tried again on the next run");
        }
    }

    private boolean uncollectible(Connection c, DunningPolicy policy, Invoice inv, ZoneId zone, ObjectNode detail,
            ObjectNode data, Instant now) throws SQLException {
        data.put("action", "uncollectible");
        detail.put("suspension", policy.suspension().wireName());
        boolean suspended = false;
        if (policy.suspension() != DunningPolicy.Suspend.NONE) {
            SuspensionMode mode = SuspensionMode.fromWireName(policy.suspension().wireName()).orElseThrow();
            Optional<Instant> hardFrom = policy.suspensionGraceDays()
                    .map(d -> DunningSchedule.plusDays(now, d, zone));
            suspended = entitlements.suspensions().suspend(c, inv.tenant(), inv.customer(), inv.id(), mode, now, hardFrom);
            hardFrom.ifPresent(t -> detail.put("grace_ends_at", t.toString()));
        }
        data.set("uncollectible", detail.deepCopy());
        Outbox.record(c, inv.tenant(), WebhookEventTypes.INVOICE_DUNNING_STEP, data, now);
        return suspended;
    }

    /**
     * Lifts the suspension {@code invoice} caused if the invoice is settled: paid in full (payment status
     * {@code succeeded}), marked paid, or void. Returns whether this call lifted it.
     */
    private boolean liftIfSettled(String tenant, String customer, String invoiceId) {
        Invoice inv;
        try {
            inv = billing.invoice(tenant, invoiceId);
        } catch (BillingNotFoundException gone) {
            return false;
        }
        PaymentSummary s = payments.summary(inv);
        String reason = s.status() == PaymentStatus.SUCCEEDED ? "paid" : inv.status() == InvoiceStatus.PAID
                ? "marked_paid" : inv.status() == InvoiceStatus.VOID ? "void" : null;
        if (reason == null) {
            return false;
        }
        Instant now = clock.instant();
        DunningStep step = new DunningStep(newId(), tenant, invoiceId, customer, "suspension_lifted",
                DunningStep.Kind.SUSPENSION_LIFTED, now, now, JsonNodeFactory.instance.objectNode().put("reason", reason));
        boolean lifted = db.inTransaction(c -> {
            if (!entitlements.suspensions().lift(c, tenant, customer, invoiceId, now)) {
                return false;
            }
            DunningStore.insert(c, step);
            ObjectNode data = DunningJson.invoice(inv, s);
            data.put("step", step.step());
            data.put("kind", step.kind().wireName());
            data.put("action", "suspension_lifted");
            data.put("reason", reason);
            Outbox.record(c, tenant, WebhookEventTypes.INVOICE_DUNNING_STEP, data, now);
            return true;
        });
        if (lifted) {
            entitlements.suspensionChanged(tenant, customer);
        }
        return lifted;
    }

    // ---- the retry button

    /**
     * Asks the invoice's provider to collect it again now (outside the schedule): a {@code manual_retry:<n>} step,
     * whatever the policy. Only a finalized invoice with something unpaid whose payment status is {@code pending} or
     * {@code failed} can be retried ({@code invoice-not-retryable} otherwise); two presses at once make one retry and
     * one {@code retry-in-progress} conflict.
     */
    public DunningStep retryNow(String tenant, String invoiceId) {
        Invoice inv = billing.invoice(tenant, invoiceId);
        PaymentSummary s = payments.summary(inv);
        if (!DunningSchedule.inDunning(inv, s)) {
            throw new PaymentConflictException("invoice-not-retryable", "only a finalized invoice with an unpaid amount "
                    + "and payment status pending or failed can be retried; this one is " + inv.status().wireName()
                    + " with payment status " + s.status().wireName());
        }
        List<DunningStep> steps = store.steps(tenant, invoiceId);
        long manual = steps.stream().filter(x -> x.kind() == DunningStep.Kind.MANUAL_RETRY).count();
        long attempts = steps.stream().filter(x -> x.kind() == DunningStep.Kind.RETRY
                || x.kind() == DunningStep.Kind.MANUAL_RETRY).count();
        Instant now = clock.instant();
        DunningSchedule.Planned p = new DunningSchedule.Planned("manual_retry:" + (manual + 1),
                DunningStep.Kind.MANUAL_RETRY, now, (int) attempts + 1, Optional.empty(), 0);
        if (!execute(policy(tenant), inv, s, payments.facts(tenant, invoiceId), zone(tenant, inv.customer()), p, now)) {
            throw new PaymentConflictException("retry-in-progress", "another retry of this invoice was just made");
        }
        return store.steps(tenant, invoiceId).stream().filter(x -> x.step().equals(p.step())).findFirst().orElseThrow();
    }

    // ---- reading

    /** The steps done for an invoice, oldest first. */
    public List<DunningStep> steps(String tenant, String invoiceId) {
        billing.invoice(tenant, invoiceId);
        return store.steps(tenant, invoiceId);
    }

    /** An invoice's dunning state: when it was marked uncollectible, and the steps of its schedule not done yet. */
    public record State(Optional<Instant> uncollectibleAt, boolean overdue, List<Upcoming> upcoming) {
    }

    /** A step of the schedule not done yet. */
    public record Upcoming(String step, String kind, Instant dueAt) {
    }

    public State state(Invoice inv) {
        PaymentSummary s = payments.summary(inv);
        ZoneId zone = zone(inv.tenant(), inv.customer());
        Instant now = clock.instant();
        Set<String> done = store.stepKeys(inv.tenant(), inv.id());
        Optional<Instant> uncollectible = Optional.ofNullable(store.uncollectible(inv.tenant(), List.of(inv.id()))
                .get(inv.id()));
        List<Upcoming> upcoming = new ArrayList<>();
        DunningPolicy policy = policy(inv.tenant());
        if (policy.enabled() && DunningSchedule.inDunning(inv, s) && uncollectible.isEmpty()) {
            for (DunningSchedule.Planned p : DunningSchedule.plan(policy, inv, payments.facts(inv.tenant(), inv.id()), zone)) {
                if (!done.contains(p.step()) && (p.dueAt().isAfter(now) || p.kind() != DunningStep.Kind.REMINDER_BEFORE_DUE)) {
                    upcoming.add(new Upcoming(p.step(), p.kind().wireName(), p.dueAt()));
                }
            }
        }
        return new State(uncollectible, Overdue.isOverdue(inv, s, zone, now), upcoming);
    }

    /**
     * Adds an invoice's dunning fields to its JSON: {@code overdue} ({@link Overdue}) and {@code uncollectible_at}
     * (when dunning marked it uncollectible, else null).
     */
    public void describe(ObjectNode json, Invoice inv, PaymentSummary s) {
        json.put("overdue", Overdue.isOverdue(inv, s, zone(inv.tenant(), inv.customer()), clock.instant()));
        Instant at = inv.status() == InvoiceStatus.DRAFT ? null
                : store.uncollectible(inv.tenant(), List.of(inv.id())).get(inv.id());
        if (at == null) {
            json.putNull("uncollectible_at");
        } else {
            json.put("uncollectible_at", at.toString());
        }
    }

    /** When each invoice was marked uncollectible (absent: never), for listings. */
    public Map<String, Instant> uncollectibleAt(String tenant, List<String> invoiceIds) {
        return store.uncollectible(tenant, invoiceIds);
    }

    /** Whether the invoice is overdue now ({@link Overdue}). */
    public boolean isOverdue(Invoice inv) {
        return Overdue.isOverdue(inv, payments.summary(inv), zone(inv.tenant(), inv.customer()), clock.instant());
    }

    /**
     * The tenant's overdue invoices (optionally of one customer, with one payment status), most overdue first, at
     * most {@code limit}. Reads the unpaid finalized invoices due before tomorrow (UTC+14, the earliest "today"
     * anywhere) and applies {@link Overdue} in each customer's time zone.
     */
    public List<Invoice> overdue(String tenant, Optional<String> customer, Optional<PaymentStatus> paymentStatus,
            int limit) {
        Instant now = clock.instant();
        LocalDate bound = now.atOffset(ZoneOffset.ofHours(14)).toLocalDate();
        List<Invoice> out = new ArrayList<>();
        Map<String, ZoneId> zones = new java.util.HashMap<>();
        for (String id : store.unpaid(tenant, customer, Optional.of(bound))) {
            Invoice inv = billing.invoice(tenant, id);
            PaymentSummary s = payments.summary(inv);
            if (paymentStatus.isPresent() && s.status() != paymentStatus.get()) {
                continue;
            }
            ZoneId zone = zones.computeIfAbsent(inv.customer(), cu -> zone(tenant, cu));
            if (Overdue.isOverdue(inv, s, zone, now)) {
                out.add(inv);
                if (out.size() >= limit) {
                    break;
                }
            }
        }
        return out;
    }

    private ZoneId zone(String tenant, String customer) {
        try {
            return billing.customer(tenant, customer).timezone();
        } catch (BillingNotFoundException archivedOrGone) {
            return ZoneOffset.UTC;
        }
    }

    private static String newId() {
        return "dun_" + UUID.randomUUID().toString().replace("-", "");
    }
}
