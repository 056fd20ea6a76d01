package dev.tally.engine.analytics;

import dev.tally.core.analytics.InvoiceFact;
import dev.tally.core.analytics.LineFact;
import dev.tally.core.analytics.MrrMovement;
import dev.tally.core.analytics.MrrMovements;
import dev.tally.core.analytics.MrrNormaliser;
import dev.tally.core.analytics.PlanSpan;
import dev.tally.core.analytics.RevenueReport;
import dev.tally.core.analytics.RevenueRow;
import dev.tally.core.analytics.SubscriptionFact;
import dev.tally.core.billing.BillingInterval;
import dev.tally.core.billing.FlatCharge;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.Plan;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.billing.Phase;
import dev.tally.engine.billing.Subscription;
import dev.tally.engine.payment.PaymentSummary;
import dev.tally.engine.payment.Payments;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A tenant's revenue analytics, derived on every call from its subscriptions and its finalized or paid invoices
 * (drafts and voided invoices are not revenue). Guarantees: revenue figures are sums of the invoices' own lines and
 * totals; MRR follows {@link MrrNormaliser}'s rule and its movements add up exactly (see {@link MrrMovement}).
 */
public final class Analytics {
    private final Billing billing;
    private final Payments payments;

    public Analytics(Billing billing, Payments payments) {
        this.billing = Objects.requireNonNull(billing);
        this.payments = Objects.requireNonNull(payments);
    }

    /** MRR movements per month of {@code [from, to]}, grouped. */
    public List<MrrMovement> mrr(String tenant, YearMonth from, YearMonth to, MrrNormaliser.Grouping grouping) {
        List<InvoiceFact> invoices = invoiceFacts(tenant);
        return MrrMovements.compute(MrrNormaliser.points(subscriptionFacts(tenant), invoices, to, grouping), from, to);
    }

    /** Invoiced, credited, collected and outstanding revenue per month of {@code [from, to]}, grouped. */
    public List<RevenueRow> revenue(String tenant, YearMonth from, YearMonth to, RevenueReport.Dimension by) {
        return RevenueReport.rows(invoiceFacts(tenant), by, from, to);
    }

    /** The top customers by usage revenue over {@code [from, to]}, per currency. */
    public List<RevenueReport.CustomerRevenue> topCustomers(String tenant, YearMonth from, YearMonth to, int limit) {
        return RevenueReport.topByUsage(invoiceFacts(tenant), from, to, limit);
    }

    List<SubscriptionFact> subscriptionFacts(String tenant) {
        Map<String, List<Plan>> plans = new HashMap<>();
        List<SubscriptionFact> out = new ArrayList<>();
        for (Subscription s : billing.subscriptionsNotEndedAt(tenant, Instant.EPOCH)) {
            List<PlanSpan> spans = new ArrayList<>();
            Plan first = null;
            for (Phase p : s.phases()) {
                Plan plan = plans.computeIfAbsent(p.plan(), k -> billing.planVersions(tenant, k)).stream()
                        .filter(v -> v.version() == p.planVersion()).findFirst().orElseThrow();
                first = first == null ? plan : first;
                BigDecimal recurring = plan.flatCharges().stream().map(FlatCharge::amount)
                        .reduce(BigDecimal.ZERO, BigDecimal::add);
                spans.add(new PlanSpan(plan.key(), p.start(), recurring, periodsPerYear(plan.interval())));
            }
            // a trial is not revenue: MRR starts when the trial ends (a subscription ended in its trial never had any)
            Instant paidFrom = s.trialEnd().filter(t -> t.isAfter(s.start())).orElse(s.start());
            if (s.end().isPresent() && !s.end().get().isAfter(paidFrom)) {
                continue;
            }
            out.add(new SubscriptionFact(s.id(), s.customer(), first.currency(), paidFrom, s.end(), spans));
        }
        return out;
    }

    static int periodsPerYear(BillingInterval interval) {
        return switch (interval) {
            case WEEKLY -> 52;
            case MONTHLY -> 12;
            case QUARTERLY -> 4;
            case YEARLY -> 1;
        };
    }

    List<InvoiceFact> invoiceFacts(String tenant) {
        List<InvoiceFact> out = new ArrayList<>();
        for (Invoice inv : billing.invoices(tenant, Optional.empty(), Optional.empty(), Integer.MAX_VALUE)) {
            if ((inv.status() != InvoiceStatus.FINALIZED && inv.status() != InvoiceStatus.PAID)
                    || inv.finalizedAt().isEmpty()) {
                continue;
            }
            Optional<String> sub = inv.subscriptionId() == null || inv.subscriptionId().isBlank() ? Optional.empty()
                    : Optional.of(inv.subscriptionId());
            List<LineFact> lines = new ArrayList<>();
            for (InvoiceLine l : inv.lines()) {
                lines.add(new LineFact(sub, l.plan(), l.chargeKey(), l.meter(), l.kind(), l.period(),
                        l.amount().amount()));
            }
            BigDecimal due = inv.amountDue().amount();
            PaymentSummary ps = payments.summary(inv);
            BigDecimal collected;
            if (ps.facts() > 0) {
                collected = ps.netPaid();
            } else {
                // marked paid without a payment ledger: the amount due was collected outside Tally
                collected = inv.status() == InvoiceStatus.PAID ? due : BigDecimal.ZERO;
            }
            BigDecimal outstanding = due.subtract(collected).max(BigDecimal.ZERO);
            out.add(new InvoiceFact(inv.id(), inv.customer(), inv.totals().currency(),
                    YearMonth.from(inv.finalizedAt().get().atOffset(ZoneOffset.UTC)), lines,
                    inv.totals().subtotal().amount(), inv.totals().taxTotal().amount(), inv.totals().total().amount(),
                    inv.credits().creditsApplied().amount(), due, collected, outstanding));
        }
        return out;
    }
}
