package dev.tally.engine.billing;

import dev.tally.core.billing.Charge;
import dev.tally.core.billing.Customer;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.billing.UsageCharge;
import dev.tally.core.money.InvoiceTotals;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The live estimate of a customer's current periods, priced as the invoices will price them: the same lines and
 * prorated allowances; each in-advance fee names the invoice it is already on.
 */
final class UsageEstimates {
    private final Billing billing;
    private final BillingStore store;
    private final InvoiceComposer composer;
    private final Drafts drafts;
    private final UsageSource usage;

    UsageEstimates(Billing billing, BillingStore store, InvoiceComposer composer, Drafts drafts, UsageSource usage) {
        this.billing = billing;
        this.store = store;
        this.composer = composer;
        this.drafts = drafts;
        this.usage = usage;
    }

    /**
     * The current period of each of a customer's live subscriptions, priced as the invoices will price it: the same
     * lines, the same prorated allowances; each in-advance fee names the invoice it is already on.
     */
    List<UsageEstimate> of(String tenant, String customerId) {
        usage.sync();
        Customer base = billing.customer(tenant, customerId);
        Instant now = billing.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        List<UsageEstimate> out = new ArrayList<>();
        for (Subscription s : store.subscriptionsOf(tenant, customerId)) {
            if (!s.activeAt(now)) {
                continue;
            }
            Customer c = base.withTimezone(billing.customerRecords().zoneAt(tenant, base, s.start()));
            Plan first = billing.plan(tenant, s.phases().get(0));
            Period period = InvoiceComposer.periodAt(s, first, now, c.timezone());
            Map<String, InvoiceComposer.ChargeFigures> figures = new java.util.LinkedHashMap<>();
            List<InvoiceLine> arrears = composer.arrears(s, c, period,
                    s.end().filter(e -> e.isBefore(period.end())).orElse(period.end()), figures);
            List<InvoiceLine> lines = new ArrayList<>(arrears);
            List<InvoiceLine> advance = composer.advanceFees(s, c, period);
            lines.addAll(advance);
            lines.addAll(billing.discounts().discounts(s, c, period, period.end(), lines));
            List<Invoice> invoices = store.invoicesOfSubscription(tenant, s.id()).stream()
                    .filter(i -> i.status() != InvoiceStatus.VOID).toList();
            Plan current = billing.plan(tenant, s.phaseAt(now));
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
                            ? billing.quantities().history(tenant, s.id()).quantityAt(ch.key(), now) : BigDecimal.ONE;
                    charges.add(new ChargeEstimate(ch.key(), ch.name(), Optional.empty(), quantity,
                            BigDecimal.ZERO, quantity, amount, BigDecimal.ZERO, Optional.empty(), own, on));
                }
            }
            InvoiceTotals totals = InvoiceTotals.of(c.currency(), lines.stream().map(InvoiceLine::amount).toList(),
                    drafts.taxRates(s, c));
            dev.tally.core.ledger.InvoiceCredits.Estimate rest = StillToInvoice.of(s, c, period, arrears, advance, invoicedCharges, billing.discounts(),
                    billing.commitments(), drafts.taxRates(s, c));
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
}
