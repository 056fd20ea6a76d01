package dev.tally.engine.billing.seats;

import dev.tally.core.billing.BillingCalendar;
import dev.tally.core.billing.Customer;
import dev.tally.core.billing.FeeTiming;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LicensedCharge;
import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.billing.seat.PricedCharge;
import dev.tally.core.billing.seat.QuantityHistory;
import dev.tally.core.billing.seat.SeatBilling;
import dev.tally.core.billing.seat.SeatStep;
import dev.tally.core.money.Money;
import dev.tally.engine.billing.Invoice;
import dev.tally.engine.billing.InvoiceStatus;
import dev.tally.engine.billing.Phase;
import dev.tally.engine.billing.Subscription;
import dev.tally.engine.billing.UsageSource;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The licensed lines of a subscription's invoices, for the invoice composer:
 * <ul>
 *   <li>{@link #inAdvance}: on the invoice issued when a period starts, the base of each in-advance licensed charge
 *       (the price of the quantity in force at the start of the billed part, prorated by day to it);</li>
 *   <li>{@link #closing}: on the invoice that closes a period, the base of each in-arrears charge and, for every
 *       API-quantity charge, one line per change inside the period (quantity changes, plan changes, an early end),
 *       prorated to the rest of the period; for a meter-read charge, the price of the meter's figure over each plan
 *       phase of the period.</li>
 * </ul>
 * Guarantees: the same facts always give the same lines (so a draft recomposed in its grace period changes only
 * when a fact did), and a subscription whose plans have no licensed charge costs no store read.
 */
public final class SeatLines {
    private final QuantityStore store;
    private final UsageSource usage;
    private final BiFunction<String, Phase, Plan> plans;

    SeatLines(QuantityStore store, UsageSource usage, BiFunction<String, Phase, Plan> plans) {
        this.store = store;
        this.usage = usage;
        this.plans = plans;
    }

    /** The in-advance bases of the period {@code nominal} for its billed {@code part} (after any trial). */
    public List<InvoiceLine> inAdvance(Subscription s, Customer c, Period part, Period nominal) {
        Plan plan = plans.apply(s.tenant(), s.phaseAt(part.start()));
        List<LicensedCharge> charges = licensed(plan).stream()
                .filter(l -> l.timing() == FeeTiming.IN_ADVANCE && l.setThroughApi()).toList();
        if (charges.isEmpty()) {
            return List.of();
        }
        QuantityHistory history = store.history(s.tenant(), s.id());
        List<InvoiceLine> out = new ArrayList<>();
        for (LicensedCharge l : charges) {
            out.addAll(SeatBilling.base(new PricedCharge(plan, l), history.quantityAt(l.key(), part.start()), part,
                    nominal, c.currency(), c.timezone(), Optional.empty()));
        }
        return out;
    }

    /**
     * What the invoice closing {@code period} bills of its licensed charges, for the part billed up to {@code end}
     * (the period's end, or an earlier end of the subscription).
     */
    public List<InvoiceLine> closing(Subscription s, Customer c, Period period, Period nominal, Instant end) {
        Instant from = latest(period.start(), s.start(), s.trialEnd().orElse(Instant.MIN));
        if (!from.isBefore(end)) {
            return List.of();
        }
        List<Phase> phases = s.phases().stream().filter(p -> p.start().isBefore(period.end())
                && p.end().map(e -> e.isAfter(from)).orElse(true)).toList();
        Set<String> keys = new LinkedHashSet<>();
        for (Phase p : phases) {
            licensed(plans.apply(s.tenant(), p)).forEach(l -> keys.add(l.key()));
        }
        if (keys.isEmpty()) {
            return List.of();
        }
        QuantityHistory history = store.history(s.tenant(), s.id());
        List<InvoiceLine> out = new ArrayList<>();
        for (String key : keys) {
            Optional<PricedCharge> start = priced(s, s.phaseAt(from), key);
            if (start.isPresent() && !start.get().charge().setThroughApi()) {
                out.addAll(measured(s, c, phases, key, new Period(from, end), nominal));
                continue;
            }
            boolean advance = start.isPresent() && start.get().charge().timing() == FeeTiming.IN_ADVANCE;
            Instant until = advance ? period.end() : end;
            BigDecimal quantity = history.quantityAt(key, from);
            if (start.isPresent() && !advance) {
                out.addAll(SeatBilling.base(start.get(), quantity, new Period(from, until), nominal, c.currency(),
                        c.timezone(), Optional.empty()));
            }
            List<SeatStep> steps = new ArrayList<>();
            for (Phase p : phases) {
                if (p.start().isAfter(from) && p.start().isBefore(until)) {
                    steps.add(new SeatStep.PlanChange(p.start(), priced(s, p, key)
                            .filter(pc -> pc.charge().setThroughApi())));
                }
            }
            history.between(key, from, until).forEach(q -> steps.add(SeatStep.Quantity.of(q)));
            if (advance && s.end().isPresent() && s.end().get().isAfter(from) && s.end().get().isBefore(period.end())) {
                steps.add(new SeatStep.End(s.end().get()));
            }
            out.addAll(SeatBilling.changes(start, quantity, steps, until, nominal, c.currency(), c.timezone()));
        }
        return out;
    }

    /**
     * Late usage of meter-read licensed charges: for each earlier finalized (or paid) invoice whose period ended
     * after {@code lookBackFrom} (other than the opening invoice and the one at {@code boundary}), the meter is read
     * again over its period; where a charge's price now differs from what its measured lines and the adjustments
     * already billed for that period charged, one {@link LineKind#ADJUSTMENT} line bills the difference, naming the
     * period, as late usage of usage charges does. API quantities need none: a change into a finalized period is
     * refused.
     */
    public List<InvoiceLine> lateMeterAdjustments(Subscription s, Customer c, List<Invoice> earlier, Instant boundary,
            Instant lookBackFrom, Optional<Instant> opening) {
        Set<String> meterKeys = new LinkedHashSet<>();
        for (Phase p : s.phases()) {
            licensed(plans.apply(s.tenant(), p)).stream().filter(l -> !l.setThroughApi())
                    .forEach(l -> meterKeys.add(l.key()));
        }
        if (meterKeys.isEmpty()) {
            return List.of();
        }
        Plan first = plans.apply(s.tenant(), s.phases().get(0));
        List<InvoiceLine> out = new ArrayList<>();
        for (Invoice inv : earlier) {
            if (opening.filter(inv.boundary()::equals).isPresent() || inv.boundary().equals(boundary)
                    || (inv.status() != InvoiceStatus.FINALIZED && inv.status() != InvoiceStatus.PAID)
                    || inv.period().end().isBefore(lookBackFrom)) {
                continue;
            }
            Instant end = earliest(inv.period().end(), inv.boundary(), s.end().orElse(Instant.MAX));
            Period nominal = BillingCalendar.nominal(s.start(), inv.period(), c.timezone(), first.interval(), s.anchor());
            List<InvoiceLine> fresh = closing(s, c, inv.period(), nominal, end).stream()
                    .filter(l -> meterKeys.contains(l.chargeKey()) && l.meter().isPresent()).toList();
            for (String key : meterKeys) {
                List<InvoiceLine> now = fresh.stream().filter(l -> l.chargeKey().equals(key)).toList();
                BigDecimal billed = sum(inv.lines().stream().filter(l -> l.chargeKey().equals(key)
                        && l.kind() == LineKind.LICENSED && l.meter().isPresent()).toList());
                for (Invoice other : earlier) {
                    if (other.status() == InvoiceStatus.FINALIZED || other.status() == InvoiceStatus.PAID) {
                        billed = billed.add(sum(other.lines().stream().filter(l -> l.kind() == LineKind.ADJUSTMENT
                                && l.chargeKey().equals(key) && l.adjustsPeriod().equals(Optional.of(inv.period())))
                                .toList()));
                    }
                }
                BigDecimal diff = sum(now).subtract(billed);
                if (diff.signum() == 0 || now.isEmpty()) {
                    continue;
                }
                InvoiceLine sample = now.get(0);
                String quantity = now.stream().map(l -> l.description()).reduce((a, b) -> a + "; " + b).orElse("");
                out.add(new InvoiceLine("adj", LineKind.ADJUSTMENT, key, "Late usage for " + key + " in "
                        + inv.period().start() + " - " + inv.period().end() + " (measured again: " + quantity + ")",
                        BigDecimal.ONE, diff, new Money(diff, c.currency()), inv.period(), sample.meter(),
                        sample.meterVersion(), sample.plan(), sample.planVersion(), sample.priceJson(),
                        now.stream().mapToLong(InvoiceLine::eventCount).sum(), Optional.of(inv.period())));
            }
        }
        return out;
    }

    private static BigDecimal sum(List<InvoiceLine> lines) {
        return lines.stream().map(l -> l.amount().amount()).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static Instant earliest(Instant a, Instant b, Instant c) {
        Instant m = a.isBefore(b) ? a : b;
        return m.isBefore(c) ? m : c;
    }

    /** A meter-read charge: for each phase of the billed part, the price of the meter's figure over that phase. */
    private List<InvoiceLine> measured(Subscription s, Customer c, List<Phase> phases, String key, Period billed,
            Period nominal) {
        List<InvoiceLine> out = new ArrayList<>();
        for (Phase p : phases) {
            Instant a = latest(billed.start(), p.start(), Instant.MIN);
            Instant b = p.end().filter(e -> e.isBefore(billed.end())).orElse(billed.end());
            Optional<PricedCharge> priced = priced(s, p, key).filter(pc -> !pc.charge().setThroughApi());
            if (!a.isBefore(b) || priced.isEmpty()) {
                continue;
            }
            Period part = new Period(a, b);
            String meter = priced.get().charge().meter().orElseThrow();
            List<UsageRow> rows = usage.usage(s.tenant(), new UsageRequest(meter, Optional.of(c.externalId()),
                    part.start(), part.end(), Window.NONE, c.timezone(), List.of(), Map.of()));
            BigDecimal quantity = rows.stream().map(UsageRow::value).reduce(BigDecimal.ZERO, BigDecimal::add)
                    .max(BigDecimal.ZERO);
            long events = rows.stream().mapToLong(UsageRow::events).sum();
            int version = usage.meterVersionAt(s.tenant(), meter, part.end().minusNanos(1));
            Optional<SeatBilling.Measured> how = version < 1 ? Optional.empty()
                    : Optional.of(new SeatBilling.Measured(meter, version, events));
            out.addAll(SeatBilling.base(priced.get(), quantity, part, nominal, c.currency(), c.timezone(), how));
        }
        return out;
    }

    private Optional<PricedCharge> priced(Subscription s, Phase phase, String key) {
        Plan plan = plans.apply(s.tenant(), phase);
        return plan.charge(key).filter(LicensedCharge.class::isInstance)
                .map(ch -> new PricedCharge(plan, (LicensedCharge) ch));
    }

    static List<LicensedCharge> licensed(Plan plan) {
        return plan.charges().stream().filter(LicensedCharge.class::isInstance).map(LicensedCharge.class::cast).toList();
    }

    private static Instant latest(Instant a, Instant b, Instant c) {
        Instant m = a.isAfter(b) ? a : b;
        return m.isAfter(c) ? m : c;
    }
}
