package dev.tally.engine.billing;

import dev.tally.core.billing.Customer;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.engine.credit.GrantSchedules;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Billing's side of recurring credit grants: the period boundaries of each subscription whose plans carry credit
 * grant rules, computed by the same calendar as its invoices, and whether its invoices up to each boundary are
 * finalized. Subscriptions that ended more than {@link #ENDED_LOOK_BACK} ago are no longer looked at.
 */
final class CreditGrantSchedules implements GrantSchedules {
    /** How long after its end a subscription's last boundary is still rolled over by a run. */
    static final Duration ENDED_LOOK_BACK = Duration.ofDays(366);
    /** Subscriptions read at a time. */
    private static final int PAGE = 1000;

    private final BillingStore store;
    private final BiFunction<String, Phase, Plan> plans;
    private final CustomerRecords records;

    CreditGrantSchedules(BillingStore store, BiFunction<String, Phase, Plan> plans, CustomerRecords records) {
        this.store = store;
        this.plans = plans;
        this.records = records;
    }

    @Override
    public List<Schedule> schedules(String tenant, Instant now, Map<String, Instant> done) {
        List<Schedule> out = new ArrayList<>();
        // a page of subscriptions at a time: only those whose plans grant credits are kept
        Optional<Subscription> after = Optional.empty();
        while (true) {
            List<Subscription> page = store.subscriptionsNotEndedAt(tenant, now.minus(ENDED_LOOK_BACK), after, PAGE);
            if (page.isEmpty()) {
                return out;
            }
            after = Optional.of(page.get(page.size() - 1));
            for (Subscription s : page) {
                schedule(tenant, now, done, s).ifPresent(out::add);
            }
        }
    }

    /** The schedule of one subscription: none when its plans grant no credits or no boundary is pending. */
    private Optional<Schedule> schedule(String tenant, Instant now, Map<String, Instant> done, Subscription s) {
        if (s.start().isAfter(now)
                || s.phases().stream().allMatch(p -> plans.apply(tenant, p).creditGrants().isEmpty())) {
            return Optional.empty();
        }
        Customer base = records.record(tenant, s.customer()).inForce(now);
        ZoneId zone = records.zoneAt(tenant, base, s.start());
        Plan first = plans.apply(tenant, s.phases().get(0));
        Instant last = done.get(s.id());
        // the boundaries up to now (cheap: the calendar), then the invoices only if one is not done yet
        List<Boundary> pending = new ArrayList<>();
        Instant x = s.start();
        while (!x.isAfter(now)) {
            boolean isDone = last != null && !x.isAfter(last);
            if (s.end().isPresent() && !x.isBefore(s.end().get())) {
                if (!isDone) {
                    pending.add(new Boundary(s.end().get(), Optional.empty(), Optional.empty(), List.of(), false));
                }
                break;
            }
            Period p = InvoiceComposer.periodAt(s, first, x, zone);
            Instant end = s.end().filter(e -> e.isBefore(p.end())).orElse(p.end());
            if (!isDone) {
                Instant nextEnd = InvoiceComposer.periodAt(s, first, p.end(), zone).end();
                pending.add(new Boundary(x, Optional.of(end), Optional.of(nextEnd),
                        plans.apply(tenant, s.phaseAt(x)).creditGrants(), false));
            }
            x = end;
        }
        if (pending.isEmpty()) {
            return Optional.empty();
        }
        List<Invoice> invoices = store.invoicesOfSubscription(tenant, s.id());
        List<Boundary> boundaries = pending.stream().map(b -> new Boundary(b.at(), b.periodEnd(), b.nextPeriodEnd(),
                b.rules(), invoiced(s, invoices, b.at()))).toList();
        return Optional.of(new Schedule(s.id(), s.customer(), first.currency(), boundaries));
    }

    /** The boundary was invoiced (the subscription's next boundary is later) and no invoice up to it is a draft. */
    private static boolean invoiced(Subscription s, List<Invoice> invoices, Instant at) {
        return s.nextBoundary().isAfter(at) && invoices.stream()
                .noneMatch(i -> i.status() == InvoiceStatus.DRAFT && !i.boundary().isAfter(at));
    }
}
