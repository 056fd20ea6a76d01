package dev.tally.core.discount;

import dev.tally.core.billing.Charge;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineSource;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A part of a billing segment priced as a subscription's overrides say: {@code plan} is the subscription's plan
 * version with the overridden charges replaced (and only the charges this part rates), {@code period} the stretch it
 * covers, {@code applied} the override version of each overridden charge. Guarantees that {@code applied} names only
 * charges of {@code plan}.
 */
public record PricedPart(Plan plan, Period period, Map<String, OverrideVersion> applied) {

    /** Validates (see the type's guarantees); the map is copied. */
    public PricedPart {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(period, "period");
        applied = Map.copyOf(applied);
        for (String k : applied.keySet()) {
            if (plan.charge(k).isEmpty()) {
                throw new InvalidDiscountException("charge", "override of " + k + " is not a charge of this part");
            }
        }
    }

    /** The part rating {@code charges} of {@code base}, each overridden charge replaced by its terms. */
    static PricedPart of(Plan base, List<Charge> charges, Period period, Map<String, OverrideVersion> applied) {
        List<Charge> priced = new ArrayList<>();
        Map<String, OverrideVersion> kept = new java.util.LinkedHashMap<>();
        for (Charge ch : charges) {
            OverrideVersion v = applied.get(ch.key());
            Optional<Charge> replaced = v == null ? Optional.empty() : v.terms().apply(ch);
            priced.add(replaced.orElse(ch));
            if (replaced.isPresent()) {
                kept.put(ch.key(), v);
            }
        }
        Plan plan = charges.equals(base.charges()) && kept.isEmpty() ? base
                : new Plan(base.key(), base.version(), base.name(), base.currency(), base.interval(), priced,
                        base.taxRates(), base.trialDays(), base.features());
        return new PricedPart(plan, period, kept);
    }

    /** This part restricted to one charge. */
    PricedPart only(String chargeKey) {
        Charge ch = plan.charge(chargeKey).orElseThrow();
        Plan one = new Plan(plan.key(), plan.version(), plan.name(), plan.currency(), plan.interval(), List.of(ch),
                plan.taxRates(), plan.trialDays(), plan.features());
        Map<String, OverrideVersion> a = applied.containsKey(chargeKey) ? Map.of(chargeKey, applied.get(chargeKey)) : Map.of();
        return new PricedPart(one, period, a);
    }

    /**
     * The lines this part's plan gave, each overridden charge's lines naming its override version, followed by
     * one discount line per usage charge under a {@link OverrideTerms.PercentOff} override (its percentage of the
     * charge's lines here, HALF_UP to the minor unit, never more than they come to; a flat fee's percentage is in
     * its amount already).
     */
    public List<InvoiceLine> price(List<InvoiceLine> lines) {
        if (applied.isEmpty()) {
            return lines;
        }
        List<InvoiceLine> out = new ArrayList<>();
        for (InvoiceLine l : lines) {
            OverrideVersion v = applied.get(l.chargeKey());
            out.add(v == null ? l : l.pricedBy(LineSource.override(v.overrideId(), v.version())));
        }
        List<Discount> percentages = new ArrayList<>();
        for (Charge ch : plan.charges()) {
            OverrideVersion v = applied.get(ch.key());
            if (v != null && ch instanceof dev.tally.core.billing.UsageCharge && v.terms() instanceof OverrideTerms.PercentOff p) {
                percentages.add(Discount.percent(LineSource.override(v.overrideId(), v.version()),
                        ch.name() + ": negotiated " + p.percent().stripTrailingZeros().toPlainString() + " % off",
                        p.percent(), java.util.Set.of(ch.key())));
            }
        }
        if (!percentages.isEmpty() && !out.isEmpty()) {
            out.addAll(DiscountCalculator.apply(out, percentages, plan.currency(), period).lines());
        }
        return out;
    }
}
