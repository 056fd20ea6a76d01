package dev.tally.engine.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.BillingAnchor;
import dev.tally.core.billing.Customer;
import dev.tally.core.billing.CustomerJson;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.billing.PlanJson;
import dev.tally.core.event.Json;
import dev.tally.core.money.InvoiceTotals;
import dev.tally.core.money.Money;
import dev.tally.core.money.TaxRate;
import dev.tally.core.ledger.CreditApplication;
import dev.tally.engine.credit.Credits;
import dev.tally.engine.credit.InvoiceToSettle;
import dev.tally.engine.notify.WebhookEventTypes;
import dev.tally.engine.store.Database;
import dev.tally.engine.store.StoreException;
import dev.tally.engine.tenant.TenantSettings;
import dev.tally.engine.tenant.TenantSettingsStore;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Persistence of billing: customers, plan versions, subscriptions, invoices,
 * credit notes and the per-tenant document counters. Each method is one
 * transaction; the unique constraints (one invoice per subscription and
 * boundary; unique numbers) hold even against other processes.
 */
final class BillingStore {
    static final Instant NEVER = Instant.parse("9999-12-31T23:59:59Z");

    private final Database db;
    /** Asked before a run finalizes a draft (anomaly review holds). */
    volatile FinalizationHold hold = FinalizationHold.NONE;
    private final Credits credits;
    /** The customers' versions, archive and time zones. */
    final CustomerStore customers;
    private final ObjectMapper mapper = Json.newMapper();

    private final dev.tally.engine.billing.commit.Commitments commitments;

    BillingStore(Database db, Credits credits, dev.tally.engine.billing.commit.Commitments commitments) {
        this.commitments = commitments;
        this.db = db;
        this.credits = credits;
        this.customers = new CustomerStore(db);
    }

    Database db() {
        return db;
    }

    // ---- settings

    long gracePeriodSeconds(String tenant, long fallback) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT grace_period_seconds FROM billing_settings WHERE tenant_id = ?")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : fallback;
                }
            }
        });
    }

    void setGracePeriodSeconds(String tenant, long seconds) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO billing_settings (tenant_id, grace_period_seconds) VALUES (?, ?) "
                            + "ON CONFLICT (tenant_id) DO UPDATE SET grace_period_seconds = excluded.grace_period_seconds")) {
                ps.setString(1, tenant);
                ps.setLong(2, seconds);
                ps.executeUpdate();
            }
            return null;
        });
    }

    // ---- customers

    boolean insertCustomer(String tenant, Customer customer, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO customers (tenant_id, external_id, definition, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, tenant);
                ps.setString(2, customer.externalId());
                ps.setString(3, CustomerJson.write(customer).toString());
                ps.setString(4, now.toString());
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            customers.created(c, tenant, customer, now);
            return true;
        });
    }

    Optional<Customer> customer(String tenant, String externalId) {
        return db.inTransaction(c -> customer(c, tenant, externalId));
    }

    private Optional<Customer> customer(Connection c, String tenant, String externalId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT definition FROM customers WHERE tenant_id = ? AND external_id = ?")) {
            ps.setString(1, tenant);
            ps.setString(2, externalId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(CustomerJson.read(json(rs.getString(1)))) : Optional.empty();
            }
        }
    }

    List<Customer> customers(String tenant) {
        return db.inTransaction(c -> {
            List<Customer> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT definition FROM customers WHERE tenant_id = ? ORDER BY external_id")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(CustomerJson.read(json(rs.getString(1))));
                    }
                }
            }
            return out;
        });
    }

    // ---- plans

    void insertPlan(String tenant, Plan plan, Instant now) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO plans (tenant_id, plan_key, version, definition, created_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, tenant);
                ps.setString(2, plan.key());
                ps.setInt(3, plan.version());
                ps.setString(4, PlanJson.write(plan).toString());
                ps.setString(5, now.toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** All versions of a plan, ascending. */
    List<Plan> planVersions(String tenant, String key) {
        return db.inTransaction(c -> {
            List<Plan> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT version, definition FROM plans WHERE tenant_id = ? AND plan_key = ? ORDER BY version")) {
                ps.setString(1, tenant);
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(PlanJson.read(json(rs.getString(2)), rs.getInt(1)));
                    }
                }
            }
            return out;
        });
    }

    List<String> planKeys(String tenant) {
        return db.inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT plan_key FROM plans WHERE tenant_id = ? ORDER BY plan_key")) {
                ps.setString(1, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    // ---- subscriptions

    void upsertSubscription(Subscription s) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO subscriptions (id, tenant_id, customer_id, anchor, start_at, trial_end_at, end_at, phases, next_boundary_at, created_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET end_at = excluded.end_at, "
                            + "phases = excluded.phases, next_boundary_at = excluded.next_boundary_at")) {
                ps.setString(1, s.id());
                ps.setString(2, s.tenant());
                ps.setString(3, s.customer());
                ps.setString(4, s.anchor().wireName());
                ps.setString(5, s.start().toString());
                ps.setString(6, s.trialEnd().map(Instant::toString).orElse(null));
                ps.setString(7, s.end().map(Instant::toString).orElse(null));
                ps.setString(8, phases(s.phases()));
                ps.setString(9, s.nextBoundary().toString());
                ps.setString(10, s.createdAt().toString());
                ps.executeUpdate();
            }
            return null;
        });
    }

    Optional<Subscription> subscription(String tenant, String id) {
        List<Subscription> l = subscriptions("SELECT * FROM subscriptions WHERE tenant_id = ? AND id = ?", tenant, id);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    List<Subscription> subscriptionsOf(String tenant, String customer) {
        return subscriptions("SELECT * FROM subscriptions WHERE tenant_id = ? AND customer_id = ? ORDER BY created_at, id",
                tenant, customer);
    }

    /** A tenant's subscriptions that have not ended at {@code at}, by customer then creation. */
    List<Subscription> subscriptionsNotEndedAt(String tenant, Instant at) {
        return subscriptions("SELECT * FROM subscriptions WHERE tenant_id = ? AND (end_at IS NULL OR end_at > ?) "
                + "ORDER BY customer_id, created_at, id", tenant, at.toString());
    }

    /**
     * {@link #subscriptionsNotEndedAt}, at most {@code limit} of them after the one {@code after} (none: from the
     * first), in the same order: so a caller pages through a tenant's subscriptions without holding them all.
     */
    List<Subscription> subscriptionsNotEndedAt(String tenant, Instant at, Optional<Subscription> after, int limit) {
        if (after.isEmpty()) {
            return subscriptions("SELECT * FROM subscriptions WHERE tenant_id = ? AND (end_at IS NULL OR end_at > ?) "
                    + "ORDER BY customer_id, created_at, id LIMIT " + limit, tenant, at.toString());
        }
        Subscription a = after.get();
        return subscriptions("SELECT * FROM subscriptions WHERE tenant_id = ? AND (end_at IS NULL OR end_at > ?) "
                + "AND (customer_id > ? OR (customer_id = ? AND (created_at > ? OR (created_at = ? AND id > ?)))) "
                + "ORDER BY customer_id, created_at, id LIMIT " + limit, tenant, at.toString(), a.customer(),
                a.customer(), a.createdAt().toString(), a.createdAt().toString(), a.id());
    }

    /** Subscriptions with an invoice due at or before {@code now}, oldest boundary first. */
    List<Subscription> due(String tenant, Instant now, int limit) {
        return subscriptions("SELECT * FROM subscriptions WHERE tenant_id = ? AND next_boundary_at <= ? "
                + "ORDER BY next_boundary_at, id LIMIT " + limit, tenant, now.toString());
    }

    /** As above, after {@code after} in (next boundary, id) order: a run that leaves some due ones to others pages on. */
    List<Subscription> due(String tenant, Instant now, Subscription after, int limit) {
        return subscriptions("SELECT * FROM subscriptions WHERE tenant_id = ? AND next_boundary_at <= ? "
                + "AND (next_boundary_at > ? OR (next_boundary_at = ? AND id > ?)) "
                + "ORDER BY next_boundary_at, id LIMIT " + limit, tenant, now.toString(),
                after.nextBoundary().toString(), after.nextBoundary().toString(), after.id());
    }

    private List<Subscription> subscriptions(String sql, String... args) {
        return db.inTransaction(c -> {
            List<Subscription> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Subscription(rs.getString("id"), rs.getString("tenant_id"), rs.getString("customer_id"),
                                BillingAnchor.fromWireName(rs.getString("anchor")).orElseThrow(),
                                Instant.parse(rs.getString("start_at")), instant(rs.getString("trial_end_at")),
                                instant(rs.getString("end_at")), readPhases(rs.getString("phases")),
                                Instant.parse(rs.getString("next_boundary_at")), Instant.parse(rs.getString("created_at"))));
                    }
                }
            }
            return out;
        });
    }

    private String phases(List<Phase> phases) {
        ArrayNode a = mapper.createArrayNode();
        for (Phase p : phases) {
            ObjectNode o = a.addObject().put("plan", p.plan()).put("plan_version", p.planVersion())
                    .put("start", p.start().toString());
            p.end().ifPresent(e -> o.put("end", e.toString()));
        }
        return a.toString();
    }

    private List<Phase> readPhases(String s) {
        List<Phase> out = new ArrayList<>();
        json(s).forEach(n -> out.add(new Phase(n.get("plan").asText(), n.get("plan_version").asInt(),
                Instant.parse(n.get("start").asText()),
                n.hasNonNull("end") ? Optional.of(Instant.parse(n.get("end").asText())) : Optional.empty())));
        return out;
    }

    // ---- invoices

    /**
     * A composed invoice waiting to be stored: the invoice, its tax rates, the subscription's next boundary and what
     * it was rated from (none: the next run composes it again).
     */
    record Draft(Invoice invoice, List<TaxRate> rates, Instant nextBoundary, Optional<Rating> rating) {
    }

    /** What {@link #insertDrafts} did: the ids of the invoices it created, and how many of them it finalized. */
    record Stored(List<String> createdIds, int finalized) {
        Stored {
            createdIds = List.copyOf(createdIds);
        }

        int created() {
            return createdIds.size();
        }
    }

    /**
     * Stores a batch of drafts in one transaction: each is inserted unless an invoice for its subscription and
     * boundary exists (another run made it), its subscription's next boundary moves on either way, and drafts
     * whose grace period is over at {@code now} are finalized with the tenant's next numbers in the same
     * transaction (so numbers are gapless and nothing is half done after a crash).
     */
    Stored insertDrafts(List<Draft> drafts, Instant now) {
        return db.inTransaction(c -> {
            List<String> created = new ArrayList<>();
            int finalized = 0;
            try (PreparedStatement ins = c.prepareStatement(
                    "INSERT INTO invoices (id, tenant_id, number, customer_id, subscription_id, boundary_at, period_start, "
                            + "period_end, status, currency, subtotal, tax, total, body, created_at, updated_at, finalize_after, "
                            + "rating, rating_valid_until) "
                            + "VALUES (?, ?, NULL, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
                    PreparedStatement move = c.prepareStatement(
                            "UPDATE subscriptions SET next_boundary_at = ? WHERE id = ? AND next_boundary_at = ?")) {
                for (Draft d : drafts) {
                    Invoice inv = d.invoice();
                    ins.setString(1, inv.id());
                    ins.setString(2, inv.tenant());
                    ins.setString(3, inv.customer());
                    ins.setString(4, inv.subscriptionId());
                    ins.setString(5, inv.boundary().toString());
                    ins.setString(6, inv.period().start().toString());
                    ins.setString(7, inv.period().end().toString());
                    ins.setString(8, inv.totals().currency().getCurrencyCode());
                    ins.setString(9, inv.totals().subtotal().amount().toPlainString());
                    ins.setString(10, inv.totals().taxTotal().amount().toPlainString());
                    ins.setString(11, inv.totals().total().amount().toPlainString());
                    ins.setString(12, body(inv.lines(), d.rates()));
                    ins.setString(13, inv.createdAt().toString());
                    ins.setString(14, inv.updatedAt().toString());
                    ins.setString(15, inv.finalizeAfter().toString());
                    ins.setString(16, d.rating().map(Rating::inputs).orElse(null));
                    ins.setString(17, d.rating().flatMap(Rating::validUntil).map(Instant::toString).orElse(null));
                    boolean inserted = ins.executeUpdate() == 1;
                    move.setString(1, d.nextBoundary().toString());
                    move.setString(2, inv.subscriptionId());
                    move.setString(3, inv.boundary().toString());
                    move.executeUpdate();
                    if (inserted) {
                        created.add(inv.id());
                        InvoiceMessages.invoice(c, WebhookEventTypes.INVOICE_CREATED, inv.id(), now);
                        if (!inv.finalizeAfter().isAfter(now) && !hold.holds(inv.tenant(), inv.customer())
                            && finalize(c, inv.tenant(), inv.id(), now)) {
                            finalized++;
                        }
                    }
                }
            }
            return new Stored(created, finalized);
        });
    }

    /**
     * Replaces the lines of drafts (a refresh with late usage) and finalizes those whose grace period is over,
     * in one transaction; invoices that stopped being drafts meanwhile are left alone. Returns how many were
     * finalized.
     */
    int refreshDrafts(List<Draft> drafts, Instant now) {
        return refreshDrafts(drafts, "", List.of(), now);
    }

    /**
     * {@link #refreshDrafts(List, Instant)}, and in the same transaction finalizes the tenant's drafts {@code unchanged}
     * as they are (drafts whose grace period is over that need no new composition).
     */
    int refreshDrafts(List<Draft> drafts, String tenant, List<String> unchanged, Instant now) {
        return db.inTransaction(c -> {
            int finalized = 0;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE invoices SET subtotal = ?, tax = ?, total = ?, body = ?, updated_at = ?, period_start = ?, period_end = ?, "
                            + "rating = ?, rating_valid_until = ? WHERE id = ? AND status = 'draft'")) {
                for (Draft d : drafts) {
                    Invoice inv = d.invoice();
                    ps.setString(1, inv.totals().subtotal().amount().toPlainString());
                    ps.setString(2, inv.totals().taxTotal().amount().toPlainString());
                    ps.setString(3, inv.totals().total().amount().toPlainString());
                    ps.setString(4, body(inv.lines(), d.rates()));
                    ps.setString(5, now.toString());
                    ps.setString(6, inv.period().start().toString());
                    ps.setString(7, inv.period().end().toString());
                    ps.setString(8, d.rating().map(Rating::inputs).orElse(null));
                    ps.setString(9, d.rating().flatMap(Rating::validUntil).map(Instant::toString).orElse(null));
                    ps.setString(10, inv.id());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            for (Draft d : drafts) {
                Invoice inv = d.invoice();
                if (!inv.finalizeAfter().isAfter(now) && !hold.holds(inv.tenant(), inv.customer())
                        && finalize(c, inv.tenant(), inv.id(), now)) {
                    finalized++;
                }
            }
            for (String id : unchanged) {
                // read once in this transaction: what finalize draws credits and commitments from
                Optional<Invoice> draft = invoice(tenant, id);
                if (draft.filter(inv -> !hold.holds(tenant, inv.customer())).isPresent()
                        && finalize(c, tenant, id, draft, now)) {
                    finalized++;
                }
            }
            return finalized;
        });
    }

    /** Finalizes one draft now, whatever its grace period; returns whether this call finalized it. */
    boolean finalizeDraft(String tenant, String invoiceId, Instant now) {
        return db.inTransaction(c -> finalize(c, tenant, invoiceId, now));
    }

    private boolean finalize(Connection c, String tenant, String invoiceId, Instant now) throws SQLException {
        return finalize(c, tenant, invoiceId, invoice(tenant, invoiceId), now);
    }

    /** Finalizes a draft as {@code draft} (read in this transaction) has it; returns whether this call finalized it. */
    private boolean finalize(Connection c, String tenant, String invoiceId, Optional<Invoice> draft, Instant now)
            throws SQLException {
        if (draft.isPresent() && !commitments.covers(draft.get())) {
            return false; // another invoice drew the prepaid commitment first: composed again by the next run
        }
        // claim the draft first: a concurrent finalizer (another process) blocks on the row and then finds it
        // no longer a draft, so it never takes a number it would not use
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE invoices SET status = 'finalized', finalized_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'")) {
            ps.setString(1, now.toString());
            ps.setString(2, now.toString());
            ps.setString(3, invoiceId);
            if (ps.executeUpdate() != 1) {
                return false;
            }
        }
        long n = nextNumber(c, tenant, "invoice");
        TenantSettings seller = TenantSettingsStore.read(c, tenant);
        LocalDate due = dueDate(c, tenant, invoiceId, seller, now);
        try (PreparedStatement ps = c.prepareStatement("UPDATE invoices SET number = ?, due_date = ? WHERE id = ?")) {
            ps.setString(1, seller.invoiceNumber(n));
            ps.setString(2, due.toString());
            ps.setString(3, invoiceId);
            ps.executeUpdate();
        }
        boolean paidByCredits = applyCredits(c, draft.orElseThrow(), seller.invoiceNumber(n), now);
        // after credits: a term's remainder granted as credits at its end pays from the next invoice on
        commitments.finalized(draft.orElseThrow(), seller.invoiceNumber(n), now);
        InvoiceMessages.invoice(c, WebhookEventTypes.INVOICE_FINALIZED, invoiceId, now);
        if (paidByCredits) {
            // credits paid all of it: nothing is left to collect
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE invoices SET status = 'paid', paid_at = ?, updated_at = ? WHERE id = ? AND status = 'finalized'")) {
                ps.setString(1, now.toString());
                ps.setString(2, now.toString());
                ps.setString(3, invoiceId);
                ps.executeUpdate();
            }
            InvoiceMessages.invoice(c, WebhookEventTypes.INVOICE_PAID, invoiceId, now);
        }
        return true;
    }

    /**
     * The due date of an invoice finalized now: its issue day in the customer's time zone plus the customer's
     * payment terms, or the tenant's default terms when the customer has none.
     */
    static LocalDate dueDate(Connection c, String tenant, String invoiceId, TenantSettings seller, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT cu.definition FROM invoices i JOIN customers cu "
                + "ON cu.tenant_id = i.tenant_id AND cu.external_id = i.customer_id WHERE i.id = ?")) {
            ps.setString(1, invoiceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return now.atZone(java.time.ZoneOffset.UTC).toLocalDate().plusDays(seller.netTermsDays());
                }
                Customer customer = CustomerJson.read(Json.newMapper().readTree(rs.getString(1)));
                return now.atZone(customer.timezone()).toLocalDate()
                        .plusDays(customer.netTermsDays().orElse(seller.netTermsDays()));
            } catch (IOException e) {
                throw new StoreException("stored customer of invoice " + invoiceId + " is not JSON", e);
            }
        }
    }


    /**
     * Draws the invoice's credits in the ledger (or carries a negative total to the balance) and records them on it;
     * returns whether credits paid all of a positive total.
     */
    private boolean applyCredits(Connection c, Invoice inv, String number, Instant now) throws SQLException {
        Map<String, Money> byCharge = new TreeMap<>();
        for (InvoiceLine l : inv.lines()) {
            byCharge.merge(l.chargeKey(), l.amount(), Money::plus);
        }
        CreditApplication app = credits.applyToInvoice(new InvoiceToSettle(inv.tenant(), inv.customer(), inv.id(),
                number, inv.totals().total(), byCharge, now));
        AppliedCredits applied = AppliedCredits.of(app);
        try (PreparedStatement ps = c.prepareStatement("UPDATE invoices SET credits = ?, amount_due = ? WHERE id = ?")) {
            ps.setString(1, applied.json().toString());
            ps.setString(2, applied.amountDue().plainString());
            ps.setString(3, inv.id());
            ps.executeUpdate();
        }
        return applied.amountDue().isZero() && applied.creditsApplied().amount().signum() > 0;
    }

    /**
     * Moves a finalized invoice to paid or void (also a paid one that credits paid in full to void); returns false
     * when it is not in such a state. A void gives back the credits
     * the invoice drew and voids the credit a negative total carried to the balance, in the same transaction.
     *
     * @throws dev.tally.engine.credit.CreditConflictException if that credit was already used by later invoices
     */
    boolean settle(Invoice inv, InvoiceStatus to, Instant now) {
        // an invoice that credits paid in full (no money moved) can still be voided, which gives the credits back
        boolean voidable = to == InvoiceStatus.VOID && inv.status() == InvoiceStatus.PAID && inv.amountDue().isZero()
                && inv.credits().creditsApplied().amount().signum() > 0;
        return db.inTransaction(c -> {
            String column = to == InvoiceStatus.PAID ? "paid_at" : "voided_at";
            try (PreparedStatement ps = c.prepareStatement("UPDATE invoices SET status = ?, " + column
                    + " = ?, updated_at = ? WHERE id = ? AND status = " + (voidable ? "'paid'" : "'finalized'"))) {
                ps.setString(1, to.wireName());
                ps.setString(2, now.toString());
                ps.setString(3, now.toString());
                ps.setString(4, inv.id());
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            if (to == InvoiceStatus.VOID) {
                credits.restoreVoidedInvoice(inv.tenant(), inv.customer(), inv.totals().currency(), inv.id(),
                        inv.number().orElseThrow(), now);
                commitments.voided(inv, inv.number().orElseThrow(), now);
            }
            InvoiceMessages.invoice(c, to == InvoiceStatus.PAID ? WebhookEventTypes.INVOICE_PAID
                    : WebhookEventTypes.INVOICE_VOIDED, inv.id(), now);
            return true;
        });
    }

    private static String status(Connection c, String invoiceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status FROM invoices WHERE id = ?")) {
            ps.setString(1, invoiceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static long nextNumber(Connection c, String tenant, String kind) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO document_counters (tenant_id, kind, last) VALUES (?, ?, 1) "
                        + "ON CONFLICT (tenant_id, kind) DO UPDATE SET last = document_counters.last + 1 RETURNING last")) {
            ps.setString(1, tenant);
            ps.setString(2, kind);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    Optional<Invoice> invoice(String tenant, String id) {
        List<Invoice> l = invoices("SELECT * FROM invoices WHERE tenant_id = ? AND id = ?", tenant, id);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    List<Invoice> invoicesOfSubscription(String tenant, String subscriptionId) {
        return invoices("SELECT * FROM invoices WHERE tenant_id = ? AND subscription_id = ? ORDER BY boundary_at",
                tenant, subscriptionId);
    }

    /** The invoices of a subscription issued at or after {@code since}: the ones late usage can still adjust. */
    List<Invoice> invoicesOfSubscriptionSince(String tenant, String subscriptionId, Instant since) {
        return invoices("SELECT * FROM invoices WHERE tenant_id = ? AND subscription_id = ? AND boundary_at >= ? "
                + "ORDER BY boundary_at", tenant, subscriptionId, since.toString());
    }

    /** The tenant's invoices on which credits were recorded at finalization. */
    List<Invoice> invoicesWithCredits(String tenant) {
        return invoices("SELECT * FROM invoices WHERE tenant_id = ? AND credits IS NOT NULL ORDER BY boundary_at, id", tenant);
    }

    List<Invoice> drafts(String tenant) {
        return invoices("SELECT * FROM invoices WHERE tenant_id = ? AND status = 'draft' ORDER BY boundary_at, id", tenant);
    }

    List<Invoice> list(String tenant, Optional<String> customer, Optional<InvoiceStatus> status,
            Optional<String> paymentStatus, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM invoices WHERE tenant_id = ?");
        List<String> args = new ArrayList<>(List.of(tenant));
        customer.ifPresent(cu -> {
            sql.append(" AND customer_id = ?");
            args.add(cu);
        });
        status.ifPresent(st -> {
            sql.append(" AND status = ?");
            args.add(st.wireName());
        });
        paymentStatus.ifPresent(ps -> {
            sql.append(" AND COALESCE((SELECT p.status FROM invoice_payment_status p WHERE p.invoice_id = invoices.id), "
                    + "'pending') = ?");
            args.add(ps);
        });
        sql.append(" ORDER BY boundary_at DESC, id LIMIT ").append(limit);
        return invoices(sql.toString(), args.toArray(String[]::new));
    }

    private List<Invoice> invoices(String sql, String... args) {
        return db.inTransaction(c -> {
            List<Invoice> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setString(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(invoice(rs));
                    }
                }
            }
            return out;
        });
    }

    private Invoice invoice(ResultSet rs) throws SQLException {
        Currency currency = Currency.getInstance(rs.getString("currency"));
        JsonNode body = json(rs.getString("body"));
        List<InvoiceLine> lines = InvoiceJson.readLines(body.get("lines"), currency);
        List<TaxRate> rates = new ArrayList<>();
        body.get("tax_rates").forEach(t -> rates.add(new TaxRate(t.get("name").asText(), new BigDecimal(t.get("percent").asText()))));
        InvoiceTotals totals = InvoiceTotals.of(currency, lines.stream().map(InvoiceLine::amount).toList(), rates);
        return new Invoice(rs.getString("id"), rs.getString("tenant_id"), Optional.ofNullable(rs.getString("number")),
                rs.getString("customer_id"), Optional.ofNullable(rs.getString("subscription_id")).orElse(""), Instant.parse(rs.getString("boundary_at")),
                new Period(Instant.parse(rs.getString("period_start")), Instant.parse(rs.getString("period_end"))),
                InvoiceStatus.fromWireName(rs.getString("status")).orElseThrow(), lines, totals,
                Instant.parse(rs.getString("created_at")), Instant.parse(rs.getString("updated_at")),
                Instant.parse(rs.getString("finalize_after")), instant(rs.getString("finalized_at")),
                instant(rs.getString("paid_at")), instant(rs.getString("voided_at")),
                Optional.ofNullable(rs.getString("due_date")).map(LocalDate::parse),
                rs.getString("credits") == null ? AppliedCredits.withoutLedger(totals.total(), !rs.getString("status").equals("draft"))
                        : AppliedCredits.read(json(rs.getString("credits")), currency));
    }

    private String body(List<InvoiceLine> lines, List<TaxRate> rates) {
        ObjectNode b = mapper.createObjectNode();
        b.set("lines", InvoiceJson.lines(lines));
        ArrayNode r = b.putArray("tax_rates");
        rates.forEach(t -> r.addObject().put("name", t.name()).put("percent", t.percent().toPlainString()));
        return b.toString();
    }

    private JsonNode json(String s) {
        try {
            return mapper.readTree(s);
        } catch (IOException e) {
            throw new StoreException("stored JSON is unreadable", e);
        }
    }

    private static Optional<Instant> instant(String s) {
        return s == null ? Optional.empty() : Optional.of(Instant.parse(s));
    }
}
