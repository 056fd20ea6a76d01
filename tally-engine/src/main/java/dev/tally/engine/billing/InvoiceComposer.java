package dev.tally.engine.billing;

import dev.tally.core.billing.BillingCalendar;
import dev.tally.core.billing.Charge;
import dev.tally.core.billing.ChargeUsage;
import dev.tally.core.billing.Customer;
import dev.tally.core.billing.InvoiceCalculator;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import dev.tally.core.billing.Segment;
import dev.tally.core.billing.UsageCharge;
import dev.tally.core.money.Money;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Computes the lines of the invoice a subscription gets at a boundary. The
 * opening invoice (at the start, or at the end of a trial inside the first
 * period) bills the first period's in-advance fees. Every later one closes a period: its usage and in-arrears fees (each
 * phase's plan for its part, trial excluded, flat fees prorated by day), the
 * next period's in-advance fees when the subscription continues, proration of
 * in-advance fees for plan changes and immediate cancellation inside the
 * period, and adjustments for late usage in earlier finalized periods.
 */
final class InvoiceComposer {
    /** How far back late usage still corrects a finalized period (the backdating window). */
    static final Duration LOOK_BACK = Duration.ofDays(35);

    private final UsageSource usage;
    private final BiFunction<String, Phase, Plan> plans;
    private final dev.tally.engine.billing.seats.SeatLines seats;
    private final SubscriptionPricing pricing;
    private final dev.tally.engine.billing.commit.Commitments commitments;

    InvoiceComposer(UsageSource usage, BiFunction<String, Phase, Plan> plans,
            dev.tally.engine.billing.seats.SeatLines seats, dev.tally.engine.billing.commit.Commitments commitments) {
        this(usage, plans, seats, SubscriptionPricing.NONE, commitments);
    }

    /** With a subscription's own pricing: its overrides price the charges, its discounts come after them. */
    InvoiceComposer(UsageSource usage, BiFunction<String, Phase, Plan> plans,
            dev.tally.engine.billing.seats.SeatLines seats, SubscriptionPricing pricing,
            dev.tally.engine.billing.commit.Commitments commitments) {
        this.usage = usage;
        this.plans = plans;
        this.seats = seats;
        this.pricing = pricing;
        this.commitments = commitments;
    }

    /** The invoice's period (the one it closes, or the first for the opening invoice) and its lines. */
    record Composition(Period period, List<InvoiceLine> lines) {
    }

    Composition compose(Subscription s, Customer c, Instant boundary, List<Invoice> earlier, Instant now) {
        ZoneId zone = c.timezone();
        Plan first = plans.apply(s.tenant(), s.phases().get(0));
        List<InvoiceLine> lines = new ArrayList<>();
        Period period;
        Optional<dev.tally.engine.billing.commit.Commitments.ClosingPeriod> closing = Optional.empty();
        if (opening(s, c).filter(boundary::equals).isPresent()) {
            period = periodAt(s, first, s.start(), zone);
            lines.addAll(advanceFees(s, c, period));
        } else {
            period = periodAt(s, first, boundary.minusNanos(1), zone);
            Instant arrearsEnd = min(period.end(), boundary, s.end().orElse(Instant.MAX));
            lines.addAll(arrears(s, c, period, arrearsEnd));
            lines.addAll(prorations(s, c, period, arrearsEnd, earlier));
            closing = Optional.of(closingPeriod(s, c, period, arrearsEnd, lines));
            if (s.activeAt(period.end()) && boundary.equals(period.end())) {
                lines.addAll(advanceFees(s, c, BillingCalendar.next(s.start(), period, zone, first.interval(), s.anchor())));
            }
            lines.addAll(adjustments(s, c, earlier, boundary, now));
            lines.addAll(seats.lateMeterAdjustments(s, c, earlier, boundary, now.minus(LOOK_BACK), opening(s, c)));
        }
        // commitments (docs/COMMITMENTS.md): the minimum's true-up and the up-front fee are charges, before the
        // discounts; the prepaid drawdown and overage come after them, last
        boolean closes = closing.isPresent();
        lines.addAll(commitments.charges(s, c, boundary, closing,
                () -> closes ? reopened(s, c, earlier, boundary, now) : List.of()));
        lines.addAll(pricing.discounts(s, c, period, boundary, lines));
        lines.addAll(commitments.drawdowns(s, c, boundary, lines));
        List<InvoiceLine> numbered = new ArrayList<>(lines.size());
        int n = 1;
        for (InvoiceLine l : lines) {
            numbered.add(withId(l, "L" + n++));
        }
        return new Composition(period, numbered);
    }

    /**
     * The earlier finalized periods still inside the look-back, re-rated now (as {@link #adjustments} re-rates
     * them), as a minimum commitment counts them: their true-up is recomputed when late usage changed them.
     */
    private List<dev.tally.engine.billing.commit.Commitments.ClosingPeriod> reopened(Subscription s, Customer c,
            List<Invoice> earlier, Instant boundary, Instant now) {
        List<dev.tally.engine.billing.commit.Commitments.ClosingPeriod> out = new ArrayList<>();
        for (Invoice inv : earlier) {
            if (opening(s, c).filter(inv.boundary()::equals).isPresent() || inv.boundary().equals(boundary)
                    || (inv.status() != InvoiceStatus.FINALIZED && inv.status() != InvoiceStatus.PAID)
                    || inv.period().end().isBefore(now.minus(LOOK_BACK))) {
                continue;
            }
            Instant end = min(inv.period().end(), inv.boundary(), s.end().orElse(Instant.MAX));
            List<InvoiceLine> charges = new ArrayList<>(arrears(s, c, inv.period(), end));
            charges.addAll(prorations(s, c, inv.period(), end, earlier));
            out.add(closingPeriod(s, c, inv.period(), end, charges));
        }
        return out;
    }

    /**
     * The period an invoice closes as a minimum commitment counts it: the part billed (after a trial, up to
     * {@code end}), and its charges before discounts: the arrears and prorations already composed plus the period's
     * in-advance fees, which an earlier invoice billed.
     */
    private dev.tally.engine.billing.commit.Commitments.ClosingPeriod closingPeriod(Subscription s, Customer c,
            Period period, Instant end, List<InvoiceLine> arrearsAndProrations) {
        List<InvoiceLine> charges = new ArrayList<>(arrearsAndProrations);
        charges.addAll(advanceFees(s, c, period));
        Instant from = s.trialEnd().filter(t -> t.isAfter(period.start())).orElse(period.start());
        Optional<Period> billed = from.isBefore(end) ? Optional.of(new Period(from, end)) : Optional.empty();
        return new dev.tally.engine.billing.commit.Commitments.ClosingPeriod(period, billed, nominal(s, c, period), charges);
    }

    /**
     * When the opening invoice (the first period's in-advance fees) is issued: at the start, or at the end of
     * a trial that ends inside the first period (nothing is billed during a trial); none when the trial
     * covers the whole first period (the next in-advance fees come with the first period's closing invoice).
     */
    Optional<Instant> opening(Subscription s, Customer c) {
        if (s.trialEnd().isEmpty()) {
            return Optional.of(s.start());
        }
        Period first = periodAt(s, plans.apply(s.tenant(), s.phases().get(0)), s.start(), c.timezone());
        return s.trialEnd().get().isBefore(first.end()) ? s.trialEnd() : Optional.empty();
    }

    static Period periodAt(Subscription s, Plan plan, Instant t, ZoneId zone) {
        return BillingCalendar.periodContaining(s.start(), t, zone, plan.interval(), s.anchor());
    }

    /** Usage charges and in-arrears fees for [period.start, end), phase by phase, trial excluded. */
    List<InvoiceLine> arrears(Subscription s, Customer c, Period period, Instant end) {
        return arrears(s, c, period, end, new LinkedHashMap<>());
    }

    /**
     * What the usage lines of a charge were computed from, summed over the phases of a period: the measured
     * quantity (raw: before the meter version's aggregate rounding), the included quantity the invoice subtracts (the plan's allowance, prorated by day for a partial
     * phase), the plan's full allowance (of the plan in force last), and the billable quantity
     * ({@code max(0, rounded quantity − included)} per phase).
     */
    record ChargeFigures(BigDecimal quantity, BigDecimal included, BigDecimal includedFull, BigDecimal billable) {
        ChargeFigures plus(ChargeFigures o) {
            return new ChargeFigures(quantity.add(o.quantity), included.add(o.included), o.includedFull,
                    billable.add(o.billable));
        }
    }

    /** {@link #arrears(Subscription, Customer, Period, Instant)}, recording each usage charge's figures too. */
    List<InvoiceLine> arrears(Subscription s, Customer c, Period period, Instant end, Map<String, ChargeFigures> figures) {
        List<InvoiceLine> out = new ArrayList<>();
        if (!end.isAfter(period.start())) {
            return out;
        }
        Period nominal = nominal(s, c, period);
        for (Phase phase : s.phases()) {
            Optional<Period> part = billable(s, phase, new Period(period.start(), end));
            if (part.isEmpty()) {
                continue;
            }
            for (dev.tally.core.discount.PricedPart priced : pricing.parts(s, plans.apply(s.tenant(), phase), part.get())) {
            Map<String, BigDecimal> measured = new HashMap<>();
            List<ChargeUsage> used = usageFor(s, c, priced.plan(), priced.period(), measured);
            Segment segment = Segment.inArrears(priced.plan(), priced.period(), nominal, used);
            out.addAll(priced.price(InvoiceCalculator.lines(List.of(segment), c.currency(), c.timezone())));
            for (ChargeUsage u : used) {
                BigDecimal quantity = u.charge().ratedPerEvent()
                        ? u.eventValues().stream().reduce(BigDecimal.ZERO, BigDecimal::add)
                        : u.quantityByDimension().values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
                BigDecimal included = InvoiceCalculator.includedQuantity(u.charge(), segment, c.timezone());
                // the measured total is shown raw; what is billable is the meter's rounded total less the allowance
                ChargeFigures f = new ChargeFigures(measured.getOrDefault(u.charge().key(), quantity), included,
                        u.charge().pricing().includedQuantity(), quantity.subtract(included).max(BigDecimal.ZERO));
                figures.merge(u.charge().key(), f, ChargeFigures::plus);
            }
            }
        }
        out.addAll(seats.closing(s, c, period, nominal, end));
        return out;
    }

    /** The in-advance fees of a period (after any trial), under the plan in force at its start. */
    List<InvoiceLine> advanceFees(Subscription s, Customer c, Period period) {
        Period nominal = nominal(s, c, period);
        Phase phase = s.phaseAt(period.start());
        Optional<Period> part = billable(s, phase.endingAt(Instant.MAX), period);
        if (part.isEmpty()) {
            return List.of();
        }
        dev.tally.core.discount.PricedPart priced = pricing.at(s, plans.apply(s.tenant(), phase), part.get(),
                part.get().start());
        List<InvoiceLine> out = new ArrayList<>(priced.price(InvoiceCalculator.lines(List.of(Segment.inAdvance(
                priced.plan(), part.get(), nominal)), c.currency(), c.timezone())));
        out.addAll(seats.inAdvance(s, c, part.get(), nominal));
        return out;
    }

    /**
     * In-advance fees already billed for a period, under the plan of its start, are corrected for each plan
     * change inside it (credit the old plan's remaining days, charge the new plan's) and for an immediate
     * cancellation (credit the days after the end).
     */
    private List<InvoiceLine> prorations(Subscription s, Customer c, Period period, Instant end,
            List<Invoice> earlier) {
        List<InvoiceLine> out = new ArrayList<>();
        Period nominal = nominal(s, c, period);
        for (int i = 1; i < s.phases().size(); i++) {
            Phase before = s.phases().get(i - 1);
            Phase after = s.phases().get(i);
            Instant at = after.start();
            if (!period.contains(at) || !at.isBefore(end)
                    || at.equals(period.start()) && !advanceBilledUnder(earlier, at, before)) {
                continue;
            }
            Optional<Period> rest = billable(s, after.endingAt(Instant.MAX), new Period(at, period.end()));
            if (rest.isEmpty()) {
                continue;
            }
            out.addAll(credit(s, c, before, rest.get(), nominal));
            dev.tally.core.discount.PricedPart priced = pricing.at(s, plans.apply(s.tenant(), after), rest.get(), at);
            out.addAll(priced.price(InvoiceCalculator.lines(List.of(Segment.inAdvance(priced.plan(), rest.get(),
                    nominal)), c.currency(), c.timezone())));
        }
        if (s.end().isPresent() && period.contains(s.end().get()) && s.end().get().isAfter(period.start())) {
            Phase last = s.phaseAt(s.end().get().minusNanos(1));
            billable(s, last.endingAt(Instant.MAX), new Period(s.end().get(), period.end()))
                    .ifPresent(rest -> out.addAll(credit(s, c, last, rest, nominal)));
        }
        return out;
    }

    /**
     * Whether the invoice issued at {@code boundary} billed the period's in-advance fees under {@code phase}'s
     * plan (true when a change at exactly that boundary came after the invoice: its fees must be corrected).
     */
    private static boolean advanceBilledUnder(List<Invoice> earlier, Instant boundary, Phase phase) {
        return earlier.stream().filter(i -> i.boundary().equals(boundary)).flatMap(i -> i.lines().stream())
                .anyMatch(l -> l.kind() == LineKind.FLAT_FEE && l.plan().equals(phase.plan())
                        && l.planVersion() == phase.planVersion() && !l.period().start().isBefore(boundary));
    }

    private List<InvoiceLine> credit(Subscription s, Customer c, Phase phase, Period rest, Period nominal) {
        // the fee being credited was billed under the overrides in force when it was billed
        Instant billed = phase.start().isAfter(nominal.start()) ? phase.start() : nominal.start();
        dev.tally.core.discount.PricedPart priced = pricing.at(s, plans.apply(s.tenant(), phase), rest, billed);
        return priced.price(InvoiceCalculator.prorationCredits(List.of(Segment.inAdvance(priced.plan(), rest,
                nominal)), c.currency(), c.timezone()));
    }

    /** Late usage: for each earlier finalized period still inside the look-back, re-rate and bill the difference. */
    private List<InvoiceLine> adjustments(Subscription s, Customer c, List<Invoice> earlier, Instant boundary,
            Instant now) {
        List<InvoiceLine> out = new ArrayList<>();
        for (Invoice inv : earlier) {
            if (opening(s, c).filter(inv.boundary()::equals).isPresent() || inv.boundary().equals(boundary)
                    || (inv.status() != InvoiceStatus.FINALIZED && inv.status() != InvoiceStatus.PAID)
                    || inv.period().end().isBefore(now.minus(LOOK_BACK))) {
                continue;
            }
            Instant end = min(inv.period().end(), inv.boundary(), s.end().orElse(Instant.MAX));
            List<InvoiceLine> now2 = arrears(s, c, inv.period(), end);
            Map<String, BigDecimal[]> fresh = usageTotals(now2, Optional.empty());
            Map<String, BigDecimal[]> billed = usageTotals(inv.lines(), Optional.empty());
            for (Invoice other : earlier) {
                if (other.status() == InvoiceStatus.FINALIZED || other.status() == InvoiceStatus.PAID) {
                    usageTotals(other.lines(), Optional.of(inv.period())).forEach((k, v) -> billed.merge(k, v, InvoiceComposer::add));
                }
            }
            for (Map.Entry<String, BigDecimal[]> e : fresh.entrySet()) {
                BigDecimal[] was = billed.getOrDefault(e.getKey(), new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
                BigDecimal diff = e.getValue()[1].subtract(was[1]);
                if (diff.signum() == 0) {
                    continue;
                }
                BigDecimal qty = e.getValue()[0].subtract(was[0]);
                InvoiceLine sample = now2.stream().filter(l -> l.chargeKey().equals(e.getKey())).findFirst().orElseThrow();
                out.add(new InvoiceLine("adj", LineKind.ADJUSTMENT, e.getKey(), "Late usage for " + e.getKey()
                        + " in " + inv.period().start() + " - " + inv.period().end() + " (quantity "
                        + (qty.signum() >= 0 ? "+" : "") + qty.stripTrailingZeros().toPlainString() + ")",
                        BigDecimal.ONE, diff, new Money(diff, c.currency()), inv.period(), sample.meter(),
                        sample.meterVersion(), sample.plan(), sample.planVersion(), Optional.empty(),
                        sample.eventCount(), Optional.of(inv.period())));
            }
        }
        return out;
    }

    private static BigDecimal[] add(BigDecimal[] a, BigDecimal[] b) {
        return new BigDecimal[] {a[0].add(b[0]), a[1].add(b[1])};
    }

    /** Per usage charge: [quantity of its usage lines, amount of its usage, true-up, cap and adjustment lines]. */
    private static Map<String, BigDecimal[]> usageTotals(List<InvoiceLine> lines, Optional<Period> adjustmentsOf) {
        Map<String, BigDecimal[]> out = new LinkedHashMap<>();
        for (InvoiceLine l : lines) {
            boolean usageLine = l.kind() == LineKind.USAGE || l.kind() == LineKind.MINIMUM_TRUE_UP
                    || l.kind() == LineKind.MAXIMUM_CAP;
            if (adjustmentsOf.isPresent()) {
                if (l.kind() != LineKind.ADJUSTMENT || !l.adjustsPeriod().equals(adjustmentsOf)) {
                    continue;
                }
            } else if (!usageLine) {
                continue;
            }
            BigDecimal qty = l.kind() == LineKind.USAGE ? l.quantity() : BigDecimal.ZERO;
            out.merge(l.chargeKey(), new BigDecimal[] {qty, l.amount().amount()}, InvoiceComposer::add);
        }
        return out;
    }

    /** The usage of each charge of a plan in a part of a period; {@code measured} gets each total before rounding. */
    private List<ChargeUsage> usageFor(Subscription s, Customer c, Plan plan, Period part,
            Map<String, BigDecimal> measured) {
        List<ChargeUsage> out = new ArrayList<>();
        for (Charge ch : plan.charges()) {
            if (!(ch instanceof UsageCharge uc)) {
                continue;
            }
            Optional<String> dim = uc.pricing().dimension();
            List<UsageRow> rows = usage.usage(s.tenant(), new UsageRequest(uc.meter(), Optional.of(c.externalId()),
                    part.start(), part.end(), Window.NONE, c.timezone(), dim.map(List::of).orElse(List.of()),
                    uc.filters()));
            Map<String, BigDecimal> byDim = new HashMap<>();
            long events = 0;
            for (UsageRow r : rows) {
                String k = dim.isPresent() ? r.group().get(0).orElse("") : "";
                byDim.merge(k, r.value(), BigDecimal::add);
                events += r.events();
            }
            int meterVersion = usage.meterVersionAt(s.tenant(), uc.meter(), part.end().minusNanos(1));
            if (uc.pricing().model().ratedPerEvent()) {
                out.add(ChargeUsage.events(uc, usage.eventValues(s.tenant(), c.externalId(), uc.meter(), uc.filters(),
                        part), meterVersion));
                continue;
            }
            if (byDim.isEmpty()) {
                byDim.put(ChargeUsage.NO_DIMENSION, BigDecimal.ZERO);
            }
            // the meter version's aggregate rounding, once per period total (per dimension value), never per event
            Instant last = part.end().minusNanos(1);
            measured.put(uc.key(), byDim.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add));
            byDim.replaceAll((k, total) -> usage.billable(s.tenant(), uc.meter(), last, total));
            out.add(new ChargeUsage(uc, byDim, List.of(), events, meterVersion));
        }
        return out;
    }

    private Period nominal(Subscription s, Customer c, Period period) {
        Plan first = plans.apply(s.tenant(), s.phases().get(0));
        return BillingCalendar.nominal(s.start(), period, c.timezone(), first.interval(), s.anchor());
    }

    /** The part of a range a phase covers, after the trial; empty when nothing of it is billable. */
    private static Optional<Period> billable(Subscription s, Phase phase, Period range) {
        Instant from = max(range.start(), phase.start(), s.trialEnd().orElse(Instant.MIN));
        Instant to = min(range.end(), phase.end().orElse(Instant.MAX), Instant.MAX);
        return from.isBefore(to) ? Optional.of(new Period(from, to)) : Optional.empty();
    }

    private static InvoiceLine withId(InvoiceLine l, String id) {
        return l.withId(id);
    }

    private static Instant min(Instant a, Instant b, Instant c) {
        Instant m = a.isBefore(b) ? a : b;
        return m.isBefore(c) ? m : c;
    }

    private static Instant max(Instant a, Instant b, Instant c) {
        Instant m = a.isAfter(b) ? a : b;
        return m.isAfter(c) ? m : c;
    }
}
