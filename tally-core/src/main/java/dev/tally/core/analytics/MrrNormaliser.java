package dev.tally.core.analytics;

import dev.tally.core.billing.Period;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Each customer's MRR per month, by the rule of docs/ANALYTICS.md. A subscription counts in month {@code m} when it
 * is running at the last instant of {@code m} (UTC); it then contributes
 * <pre>  round((recurring + usage) × periodsPerYear / 12)</pre>
 * where {@code recurring} is the per-period flat fees of the plan in force at that instant and {@code usage} is the
 * usage charges (usage, minimum true-up and maximum cap lines) of the subscription's <em>last closed period</em>:
 * the latest line period that ended at or before the end of {@code m}, summed over the finalized invoices given.
 * Rounding is half-even to the currency's minor unit, once per subscription and month. A customer's MRR is the sum
 * over its subscriptions (per currency); the group is chosen by a {@link Grouping}.
 */
public final class MrrNormaliser {
    private MrrNormaliser() {
    }

    /** How the points are grouped. */
    public enum Grouping {
        /** One group, {@code "all"}. */
        NONE,
        /** One group per plan (the plan in force at month end). */
        PLAN,
        /** One group per customer. */
        CUSTOMER,
        /** One group per currency (the currency's code). */
        CURRENCY
    }

    /**
     * Points for every month from the first subscription's start month to {@code to}, for every subscription
     * running at the month's end (customers with no MRR in a month have no point).
     */
    public static List<MrrPoint> points(List<SubscriptionFact> subscriptions, List<InvoiceFact> invoices,
            YearMonth to, Grouping grouping) {
        Map<String, List<LineFact>> usageBySubscription = new HashMap<>();
        for (InvoiceFact inv : invoices) {
            for (LineFact l : inv.lines()) {
                if (l.isUsage() && l.subscription().isPresent()) {
                    usageBySubscription.computeIfAbsent(l.subscription().get(), s -> new ArrayList<>()).add(l);
                }
            }
        }
        List<MrrPoint> out = new ArrayList<>();
        for (SubscriptionFact s : subscriptions) {
            List<LineFact> usage = usageBySubscription.getOrDefault(s.subscription(), List.of());
            YearMonth first = YearMonth.from(s.start().atOffset(ZoneOffset.UTC));
            for (YearMonth m = first; !m.isAfter(to); m = m.plusMonths(1)) {
                Instant end = m.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
                Instant last = end.minusNanos(1);
                if (!s.activeAt(last)) {
                    continue;
                }
                PlanSpan span = s.spanAt(last);
                BigDecimal perPeriod = span.recurringPerPeriod().add(lastClosedUsage(usage, end));
                BigDecimal monthly = perPeriod.multiply(BigDecimal.valueOf(span.periodsPerYear()))
                        .divide(BigDecimal.valueOf(12), s.currency().getDefaultFractionDigits(), RoundingMode.HALF_EVEN);
                if (monthly.signum() <= 0) {
                    continue;
                }
                String group = switch (grouping) {
                    case NONE -> "all";
                    case PLAN -> span.plan();
                    case CUSTOMER -> s.customer();
                    case CURRENCY -> s.currency().getCurrencyCode();
                };
                out.add(new MrrPoint(group, s.customer(), s.currency(), m, monthly));
            }
        }
        return out;
    }

    /** The usage charges of the latest line period that ended at or before {@code end} (zero when none did). */
    static BigDecimal lastClosedUsage(List<LineFact> usage, Instant end) {
        Optional<Instant> latest = usage.stream().map(LineFact::period).map(Period::end).filter(e -> !e.isAfter(end))
                .max(Instant::compareTo);
        if (latest.isEmpty()) {
            return BigDecimal.ZERO;
        }
        return usage.stream().filter(l -> l.period().end().equals(latest.get())).map(LineFact::amount)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

}
