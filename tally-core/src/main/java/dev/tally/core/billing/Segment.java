package dev.tally.core.billing;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The part of one billing period billed under one plan version: {@code period} (the part, e.g. from a plan change
 * to the period's end, or from the end of a trial), {@code nominal} (the full period it belongs to, the proration
 * denominator), the usage of the plan's usage charges over the part, and which flat fees to bill for it.
 *
 * <p>Which lines a segment gives (see {@link InvoiceCalculator#lines}): each flat charge whose timing is in
 * {@code flatFees}, prorated by day; and, when {@code usage} is not empty, each usage charge rated from its usage.
 * {@code usage} is either empty (no usage billed for this segment, e.g. the next period's in-advance fees) or has
 * exactly one entry per usage charge of the plan (a charge without events gets zero usage, so its minimum and tier-1
 * fees still apply). Guarantees: {@code period} lies within {@code nominal}, and every usage entry is for a usage
 * charge of this plan, once.
 */
public record Segment(Plan plan, Period period, Period nominal, List<ChargeUsage> usage, Set<FeeTiming> flatFees) {

    /** Validates (see the type's guarantees); the list and the set are copied and unmodifiable. */
    public Segment {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(nominal, "nominal");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(flatFees, "flatFees");
        usage = List.copyOf(usage);
        flatFees = Set.copyOf(flatFees);
        if (!nominal.encloses(period)) {
            throw new InvalidBillingException("period", period + " is not within its nominal period " + nominal);
        }
        Map<String, ChargeUsage> byKey = new HashMap<>();
        for (ChargeUsage u : usage) {
            Charge planCharge = plan.charge(u.charge().key()).orElse(null);
            if (!u.charge().equals(planCharge)) {
                throw new InvalidBillingException("usage", "is for charge " + u.charge().key()
                        + ", which is not a usage charge of plan " + plan.key() + " version " + plan.version());
            }
            if (byKey.put(u.charge().key(), u) != null) {
                throw new InvalidBillingException("usage", "has charge " + u.charge().key() + " more than once");
            }
        }
        if (!usage.isEmpty() && byKey.size() != plan.usageCharges().size()) {
            List<String> missing = plan.usageCharges().stream().map(UsageCharge::key).filter(k -> !byKey.containsKey(k)).toList();
            throw new InvalidBillingException("usage", "must cover every usage charge of plan " + plan.key()
                    + " or none; missing " + missing);
        }
    }

    /** A segment billing every flat fee, whatever its timing, and the given usage (if any). */
    public Segment(Plan plan, Period period, Period nominal, List<ChargeUsage> usage) {
        this(plan, period, nominal, usage, EnumSet.allOf(FeeTiming.class));
    }

    /** The in-advance flat fees of a period billed at its start: no usage. */
    public static Segment inAdvance(Plan plan, Period period, Period nominal) {
        return new Segment(plan, period, nominal, List.of(), EnumSet.of(FeeTiming.IN_ADVANCE));
    }

    /** What is billed at the end of a period: its in-arrears flat fees and its usage. */
    public static Segment inArrears(Plan plan, Period period, Period nominal, List<ChargeUsage> usage) {
        return new Segment(plan, period, nominal, usage, EnumSet.of(FeeTiming.IN_ARREARS));
    }

    /** The usage of a charge in this segment, if usage is billed. */
    Optional<ChargeUsage> usageOf(String chargeKey) {
        return usage.stream().filter(u -> u.charge().key().equals(chargeKey)).findFirst();
    }
}
