package dev.tally.engine.billing;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.Period;
import dev.tally.core.ledger.CreditApplication;
import dev.tally.core.money.Money;
import dev.tally.engine.credit.InvoiceIssuer;
import dev.tally.engine.notify.WebhookEventTypes;
import dev.tally.engine.store.Database;
import dev.tally.engine.tenant.TenantSettings;
import dev.tally.engine.tenant.TenantSettingsStore;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One-off invoices: an invoice of no subscription (its {@code subscription} is empty), with one
 * {@link LineKind#CREDIT_PURCHASE} line for the price of credits bought, issued finalized with the tenant's next
 * invoice number (the same sequence as every invoice, gapless), its due date from the customer's payment terms, no tax
 * (credits pay taxed totals when they are used, see docs/CREDITS.md) and no credits drawn (credits never pay for
 * credits). Its line names the plan {@value #PLAN} version 1 and covers the second of the purchase. It joins the
 * caller's transaction, and the {@code invoice.created} and {@code invoice.finalized} webhooks go out with it.
 */
public final class OneOffInvoices implements InvoiceIssuer {
    /** The plan key a one-off line names (it belongs to no plan). */
    public static final String PLAN = "one_off";
    /** The charge key of a credit purchase line. */
    public static final String CHARGE = "credit_purchase";

    private final Database db;

    public OneOffInvoices(Database db) {
        this.db = db;
    }

    @Override
    public Issued issue(String tenant, String customer, Money price, String description, Instant at) {
        if (price.amount().signum() <= 0 || !price.isRounded()) {
            throw new IllegalArgumentException("a one-off invoice is of a positive amount at the minor unit");
        }
        String id = "inv_" + UUID.randomUUID().toString().replace("-", "");
        InvoiceLine line = new InvoiceLine("L1", LineKind.CREDIT_PURCHASE, CHARGE, description,
                BigDecimal.ONE, price.amount(), price, new Period(at, at.plusSeconds(1)), Optional.empty(),
                Optional.empty(), PLAN, 1, Optional.empty(), 0, Optional.empty());
        AppliedCredits none = AppliedCredits.of(new CreditApplication(price, List.of(), Money.zero(price.currency()), price));
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("lines", InvoiceJson.lines(List.of(line)));
        body.putArray("tax_rates");
        return db.inTransaction(c -> {
            TenantSettings seller = TenantSettingsStore.read(c, tenant);
            String number = seller.invoiceNumber(BillingStore.nextNumber(c, tenant, "invoice"));
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO invoices (id, tenant_id, number, customer_id, "
                    + "subscription_id, boundary_at, period_start, period_end, status, currency, subtotal, tax, total, "
                    + "body, created_at, updated_at, finalize_after, finalized_at, credits, amount_due) VALUES "
                    + "(?, ?, ?, ?, NULL, ?, ?, ?, 'finalized', ?, ?, '0', ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id);
                ps.setString(2, tenant);
                ps.setString(3, number);
                ps.setString(4, customer);
                ps.setString(5, at.toString());
                ps.setString(6, line.period().start().toString());
                ps.setString(7, line.period().end().toString());
                ps.setString(8, price.currency().getCurrencyCode());
                ps.setString(9, price.amount().toPlainString());
                ps.setString(10, price.amount().toPlainString());
                ps.setString(11, body.toString());
                ps.setString(12, at.toString());
                ps.setString(13, at.toString());
                ps.setString(14, at.toString());
                ps.setString(15, at.toString());
                ps.setString(16, none.json().toString());
                ps.setString(17, none.amountDue().plainString());
                ps.executeUpdate();
            }
            LocalDate due = BillingStore.dueDate(c, tenant, id, seller, at);
            try (PreparedStatement ps = c.prepareStatement("UPDATE invoices SET due_date = ? WHERE id = ?")) {
                ps.setString(1, due.toString());
                ps.setString(2, id);
                ps.executeUpdate();
            }
            InvoiceMessages.invoice(c, WebhookEventTypes.INVOICE_CREATED, id, at);
            InvoiceMessages.invoice(c, WebhookEventTypes.INVOICE_FINALIZED, id, at);
            return new Issued(id, number);
        });
    }
}
