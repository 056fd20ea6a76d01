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
    private final BiFunction<String, String, Optional<Instant>> zoneChanges;

    /**
     * @param customers the customer of a subscription as its billing sees it (the time zone at its start)
     * @param zoneChanges when a customer's pending time zone takes effect, if it has one not in force yet
     */
    Drafts(BillingStore store, InvoiceComposer composer, BiFunction<String, Phase, Plan> plans,
            Function<Subscription, Customer> customers, BiFunction<String, String, Optional<Instant>> zoneChanges) {
        this.store = store;
        this.composer = composer;
        this.plans = plans;
        this.customers = customers;
        this.zoneChanges = zoneChanges;
    }

    /** The customer of a subscription as its billing sees it. */
    Customer customerFor(Subscription s) {
        return customers.apply(s);
    }

    /**
     * The draft that closes the subscription's next boundary, finalized after {@code grace}, rated from inputs whose
     * marks (read before it is composed) are {@code inputs}.
     */
    BillingStore.Draft created(Subscription s, Customer c, Instant now, Duration grace, String inputs) {
        Instant boundary = s.nextBoundary();
        List<Invoice> earlier = store.invoicesOfSubscriptionSince(s.tenant(), s.id(), now.minus(InvoiceComposer.LOOK_BACK));
        InvoiceComposer.Composition comp = composer.compose(s, c, boundary, earlier, now);
        return new BillingStore.Draft(draft(s, c, boundary, comp, now, grace), taxRates(s, c),
                boundaryAfter(s, c, boundary), Optional.of(rating(s, earlier, now, inputs)));
    }

    /** {@link #recomposed(Subscription, Customer, Invoice, Instant, Optional)} for a draft finalized right away. */
    BillingStore.Draft recomposed(Subscription s, Customer c, Invoice d, Instant now) {
        return recomposed(s, c, d, now, Optional.empty());
    }

    /**
     * A draft composed again from the latest usage, keeping its id and its finalization time, rated from inputs whose
     * marks (read before it is composed) are {@code inputs} (none: it is rated again by the next run).
     */
    BillingStore.Draft recomposed(Subscription s, Customer c, Invoice d, Instant now, Optional<String> inputs) {
        List<Invoice> earlier = store.invoicesOfSubscriptionSince(s.tenant(), s.id(), now.minus(InvoiceComposer.LOOK_BACK))
                .stream().filter(i -> !i.id().equals(d.id())).toList();
        InvoiceComposer.Composition comp = composer.compose(s, c, d.boundary(), earlier, now);
        Invoice fresh = draft(s, c, d.boundary(), comp, now, Duration.ZERO);
        Invoice kept = new Invoice(d.id(), d.tenant(), d.number(), d.customer(), d.subscriptionId(), d.boundary(),
                fresh.period(), d.status(), fresh.lines(), fresh.totals(), d.createdAt(), now, d.finalizeAfter(),
                d.finalizedAt(), d.paidAt(), d.voidedAt(), d.dueDate(), AppliedCredits.pending(fresh.totals().total()));
        return new BillingStore.Draft(kept, taxRates(s, c), s.nextBoundary(),
                inputs.map(in -> rating(s, earlier, now, in)));
    }

    /**
     * The rating of a draft composed now with these earlier invoices: valid until the first instant at which the
     * clock alone changes the composition. The look-back drops an earlier invoice from the invoices read (by its
     * boundary) and from the periods late usage still corrects (by its period's end); a pending time zone of the
     * customer takes effect.
     */
    private Rating rating(Subscription s, List<Invoice> earlier, Instant now, String inputs) {
        Optional<Instant> until = zoneChanges.apply(s.tenant(), s.customer()).filter(now::isBefore);
        for (Invoice e : earlier) {
            for (Instant t : List.of(e.boundary().plus(InvoiceComposer.LOOK_BACK),
                    e.period().end().plus(InvoiceComposer.LOOK_BACK))) {
                if (t.isAfter(now) && (until.isEmpty() || t.isBefore(until.get()))) {
                    until = Optional.of(t);
                }
            }
        }
        return new Rating(inputs, until);
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
