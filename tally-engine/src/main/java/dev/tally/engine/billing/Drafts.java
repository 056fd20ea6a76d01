package dev.tally.engine.billing;

import dev.tally.core.billing.Customer;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.money.InvoiceTotals;
import dev.tally.core.money.TaxRate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Composes the drafts of a billing run: a new draft for a subscription's due boundary, an open draft again with
 * the latest usage (keeping its id and its finalization time), and the boundary that comes after one.
 */
final class Drafts {
    private final BillingStore store;
    private final InvoiceComposer composer;
    private final BiFunction<String, Phase, Plan> plans;
    private final Function<Subscription, Customer> customers;

    /**
     * @param customers the customer of a subscription as its billing sees it (the time zone at its start)
     */
    Drafts(BillingStore store, InvoiceComposer composer, BiFunction<String, Phase, Plan> plans,
            Function<Subscription, Customer> customers) {
        this.store = store;
        this.composer = composer;
        this.plans = plans;
        this.customers = customers;
    }

    /** The customer of a subscription as its billing sees it. */
    Customer customerFor(Subscription s) {
        return customers.apply(s);
    }

    /** The draft that closes the subscription's next boundary, finalized after {@code grace}. */
    BillingStore.Draft created(Subscription s, Customer c, Instant now, Duration grace) {
        Instant boundary = s.nextBoundary();
        List<Invoice> earlier = store.invoicesOfSubscriptionSince(s.tenant(), s.id(), now.minus(InvoiceComposer.LOOK_BACK));
        InvoiceComposer.Composition comp = composer.compose(s, c, boundary, earlier, now);
        return new BillingStore.Draft(draft(s, c, boundary, comp, now, grace), taxRates(s, c),
                boundaryAfter(s, c, boundary));
    }

    /** A draft composed again from the latest usage, keeping its id and its finalization time. */
    BillingStore.Draft recomposed(Subscription s, Customer c, Invoice d, Instant now) {
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
    List<TaxRate> taxRates(Subscription s, Customer c) {
        return c.taxRates().isEmpty() ? plans.apply(s.tenant(), s.currentPhase()).taxRates() : c.taxRates();
    }

    /** The boundary after {@code b}: the end of the period containing it, or the subscription's end. */
    Instant boundaryAfter(Subscription s, Customer c, Instant b) {
        if (s.end().isPresent() && !b.isBefore(s.end().get())) {
            return BillingStore.NEVER;
        }
        Period p = InvoiceComposer.periodAt(s, plans.apply(s.tenant(), s.phases().get(0)), b, c.timezone());
        Instant next = p.end();
        return s.end().isPresent() && s.end().get().isBefore(next) ? s.end().get() : next;
    }
}
