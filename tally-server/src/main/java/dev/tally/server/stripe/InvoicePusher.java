package dev.tally.server.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.Invoice;
import com.stripe.model.InvoiceItem;
import com.stripe.model.InvoicePayment;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerListParams;
import com.stripe.param.CustomerSearchParams;
import com.stripe.param.InvoiceCreateParams;
import com.stripe.param.InvoiceFinalizeInvoiceParams;
import com.stripe.param.InvoiceItemCreateParams;
import com.stripe.param.InvoiceItemListParams;
import com.stripe.param.InvoiceListParams;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.money.Money;
import dev.tally.core.money.TaxLine;
import dev.tally.engine.billing.AppliedCredits;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.providers.ProviderStore;
import dev.tally.engine.providers.PushJob;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Pushes one finalized Tally invoice to Stripe as a Stripe invoice, resumable at every step: find or create the
 * Stripe customer; find the Stripe invoice by its {@code tally_invoice_id} metadata (a consistent list of the
 * customer's invoices) or create it as a draft; record its id in Tally; add the invoice items it lacks (one per
 * non-zero line, per tax, per credit applied, each marked with {@code tally_item}); finalize it (Stripe then charges
 * the customer's default payment method). Every write carries an Idempotency-Key derived from the tenant, the
 * invoice and the step, so a repeated step inside Stripe's 24-hour key window is the same call, and the metadata
 * look-ups make a repeat after it the same too.
 */
final class InvoicePusher {
    static final String PROVIDER = StripeProvider.NAME;

    /** A point between two steps where a test can stop the push as a crash would. */
    @FunctionalInterface
    interface Checkpoint {
        Checkpoint NONE = step -> {
        };

        void reached(String step);
    }

    /** One invoice item Tally sends: its stable key, what it says and how much (Stripe's minor units, signed). */
    record Item(String key, String description, long amount) {
    }

    private final Billing billing;
    private final ProviderStore store;
    private volatile Checkpoint checkpoint = Checkpoint.NONE;

    InvoicePusher(Billing billing, ProviderStore store) {
        this.billing = billing;
        this.store = store;
    }

    void checkpoint(Checkpoint c) {
        this.checkpoint = Objects.requireNonNull(c);
    }

    static String idempotencyKey(String tenant, String invoiceId, String step) {
        return "tally:" + tenant + ":" + invoiceId + ":" + step;
    }

    private static RequestOptions key(String tenant, String invoiceId, String step) {
        return RequestOptions.builder().setIdempotencyKey(idempotencyKey(tenant, invoiceId, step)).build();
    }

    /** Pushes the job's invoice; returns false when it was skipped (not pushable). Throws what Stripe threw. */
    boolean push(StripeClient stripe, PushJob job) throws StripeException {
        String tenant = job.tenant();
        dev.tally.engine.billing.Invoice inv = billing.invoice(tenant, job.invoiceId());
        if (inv.status() != InvoiceStatus.FINALIZED) {
            store.skipped(tenant, PROVIDER, inv.id(), "the invoice is " + inv.status().wireName());
            return false;
        }
        if (inv.amountDue().amount().signum() <= 0) {
            store.skipped(tenant, PROVIDER, inv.id(), "nothing to collect");
            return false;
        }
        Currency currency = inv.totals().currency();
        List<Item> items = items(inv);
        long expected = StripeAmounts.toMinor(inv.amountDue().amount(), currency);
        if (items.stream().mapToLong(Item::amount).sum() != expected) {
            throw new IllegalStateException("the items of " + inv.id() + " do not add up to its amount due");
        }
        String customer = ensureCustomer(stripe, tenant, inv.customer());
        Invoice remote = findOrCreate(stripe, job, inv, customer);
        if ("draft".equals(remote.getStatus())) {
            Set<String> present = new HashSet<>();
            for (InvoiceItem it : stripe.v1().invoiceItems().list(InvoiceItemListParams.builder()
                    .setInvoice(remote.getId()).setLimit(100L).build()).autoPagingIterable()) {
                if (it.getMetadata() != null && it.getMetadata().containsKey("tally_item")) {
                    present.add(it.getMetadata().get("tally_item"));
                }
            }
            for (Item item : items) {
                if (present.contains(item.key())) {
                    continue;
                }
                stripe.v1().invoiceItems().create(InvoiceItemCreateParams.builder()
                        .setCustomer(customer)
                        .setInvoice(remote.getId())
                        .setCurrency(currency.getCurrencyCode().toLowerCase(Locale.ROOT))
                        .setAmount(item.amount())
                        .setDescription(item.description())
                        .putMetadata("tally_invoice_id", inv.id())
                        .putMetadata("tally_item", item.key())
                        .build(), key(tenant, inv.id(), "item:" + item.key()));
                checkpoint.reached("item-created");
            }
            remote = stripe.v1().invoices().finalizeInvoice(remote.getId(), InvoiceFinalizeInvoiceParams.builder()
                    .setAutoAdvance(true).addExpand("payments").build(), key(tenant, inv.id(), "finalize"));
            checkpoint.reached("invoice-finalized");
        }
        rememberPayments(tenant, inv.id(), remote);
        if (remote.getAmountDue() != null && remote.getAmountDue() + orZero(remote.getAmountPaid()) != expected
                && !"paid".equals(remote.getStatus())) {
            store.failed(tenant, PROVIDER, inv.id(), "Stripe's invoice " + remote.getId() + " is due "
                    + remote.getAmountDue() + ", Tally's " + expected + " (minor units); held", Long.MAX_VALUE);
            return false;
        }
        store.pushed(tenant, PROVIDER, inv.id());
        return true;
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    void rememberPayments(String tenant, String invoiceId, Invoice remote) {
        if (remote.getPayments() == null || remote.getPayments().getData() == null) {
            return;
        }
        for (InvoicePayment p : remote.getPayments().getData()) {
            if (p.getPayment() != null && p.getPayment().getPaymentIntent() != null) {
                store.rememberObject(tenant, PROVIDER, p.getPayment().getPaymentIntent(), invoiceId);
            }
        }
    }

    private Invoice findOrCreate(StripeClient stripe, PushJob job, dev.tally.engine.billing.Invoice inv, String customer)
            throws StripeException {
        String tenant = job.tenant();
        if (job.remoteId().isPresent()) {
            return stripe.v1().invoices().retrieve(job.remoteId().get());
        }
        for (Invoice i : stripe.v1().invoices().list(InvoiceListParams.builder().setCustomer(customer).setLimit(100L)
                .build()).autoPagingIterable()) {
            if (i.getMetadata() != null && inv.id().equals(i.getMetadata().get("tally_invoice_id"))
                    && tenant.equals(i.getMetadata().get("tally_tenant"))) {
                store.setRemote(tenant, PROVIDER, inv.id(), i.getId());
                return i;
            }
        }
        Invoice created = stripe.v1().invoices().create(InvoiceCreateParams.builder()
                .setCustomer(customer)
                .setCurrency(inv.totals().currency().getCurrencyCode().toLowerCase(Locale.ROOT))
                .setCollectionMethod(InvoiceCreateParams.CollectionMethod.CHARGE_AUTOMATICALLY)
                .setAutoAdvance(false)
                .setPendingInvoiceItemsBehavior(InvoiceCreateParams.PendingInvoiceItemsBehavior.EXCLUDE)
                .setDescription("Tally invoice " + inv.number().orElse(inv.id()))
                .putMetadata("tally_invoice_id", inv.id())
                .putMetadata("tally_tenant", tenant)
                .putMetadata("tally_number", inv.number().orElse(""))
                .build(), key(tenant, inv.id(), "invoice"));
        checkpoint.reached("invoice-created");
        store.setRemote(tenant, PROVIDER, inv.id(), created.getId());
        return created;
    }

    /**
     * The Stripe customer of a Tally customer: the linked one; else one whose {@code tally_customer_id} metadata
     * names it (among those with its email, then by Stripe's search); else a customer with its email and no Tally
     * metadata; else a new one. The result is linked, so later pushes make no look-up.
     */
    String ensureCustomer(StripeClient stripe, String tenant, String customerId) throws StripeException {
        Optional<String> linked = store.customerLink(tenant, PROVIDER, customerId);
        if (linked.isPresent()) {
            return linked.get();
        }
        dev.tally.core.billing.Customer c = billing.customer(tenant, customerId);
        Customer unmarked = null;
        if (c.email().isPresent()) {
            for (Customer sc : stripe.v1().customers().list(CustomerListParams.builder().setEmail(c.email().get())
                    .setLimit(100L).build()).getData()) {
                String marked = sc.getMetadata() == null ? null : sc.getMetadata().get("tally_customer_id");
                if (customerId.equals(marked)) {
                    store.linkCustomer(tenant, PROVIDER, customerId, sc.getId(), "metadata");
                    return sc.getId();
                }
                if (marked == null && unmarked == null && !Boolean.TRUE.equals(sc.getDeleted())) {
                    unmarked = sc;
                }
            }
        }
        String query = "metadata['tally_customer_id']:'" + customerId.replace("\\", "\\\\").replace("'", "\\'") + "'";
        List<Customer> found;
        try {
            found = stripe.v1().customers().search(CustomerSearchParams.builder().setQuery(query).build()).getData();
        } catch (com.stripe.exception.InvalidRequestException searchNotAvailable) {
            found = List.of(); // search is not offered in every region; the idempotent create below still holds
        }
        for (Customer sc : found) {
            store.linkCustomer(tenant, PROVIDER, customerId, sc.getId(), "metadata");
            return sc.getId();
        }
        if (unmarked != null) {
            store.linkCustomer(tenant, PROVIDER, customerId, unmarked.getId(), "email");
            return unmarked.getId();
        }
        CustomerCreateParams.Builder b = CustomerCreateParams.builder().setName(c.name())
                .putMetadata("tally_customer_id", customerId).putMetadata("tally_tenant", tenant);
        c.email().ifPresent(b::setEmail);
        Customer created = stripe.v1().customers().create(b.build(), RequestOptions.builder()
                .setIdempotencyKey("tally:" + tenant + ":customer:" + customerId).build());
        store.linkCustomer(tenant, PROVIDER, customerId, created.getId(), "created");
        return created.getId();
    }

    /** What Tally sends for an invoice: non-zero lines, then each tax, then each credit applied (negative). */
    static List<Item> items(dev.tally.engine.billing.Invoice inv) {
        Currency cur = inv.totals().currency();
        List<Item> out = new ArrayList<>();
        for (InvoiceLine l : inv.lines()) {
            if (!l.amount().isZero()) {
                out.add(new Item("line:" + l.lineId(), l.description(), StripeAmounts.toMinor(l.amount().amount(), cur)));
            }
        }
        List<TaxLine> taxes = inv.totals().taxes();
        for (int i = 0; i < taxes.size(); i++) {
            TaxLine t = taxes.get(i);
            if (!t.amount().isZero()) {
                out.add(new Item("tax:" + i, t.rate().name() + " (" + t.rate().percent().stripTrailingZeros().toPlainString()
                        + "%)", StripeAmounts.toMinor(t.amount().amount(), cur)));
            }
        }
        AppliedCredits credits = inv.credits();
        for (AppliedCredits.Line cl : credits.lines()) {
            Money m = cl.amount();
            out.add(new Item("credit:" + cl.grantId(), "Credit: " + cl.description(), -StripeAmounts.toMinor(m.amount(), cur)));
        }
        return out;
    }
}
