package dev.tally.core.billing;

import dev.tally.core.money.InvoiceTotals;
import dev.tally.core.money.Money;
import dev.tally.core.money.RoundingRule;
import dev.tally.core.money.TaxRate;
import dev.tally.core.pricing.ChargePricing;
import dev.tally.core.pricing.ChargeRater;
import dev.tally.core.pricing.RatedLine;
import dev.tally.core.pricing.Rating;
import dev.tally.core.pricing.Usage;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The arithmetic of one invoice: its lines, computed from the segments of a billing period, and its totals.
 * <ul>
 *   <li>A flat fee becomes one {@link LineKind#FLAT_FEE} line, prorated by day to its segment
 *       ({@link Proration}): quantity 1, the exact prorated fee as the unit price. A fee that prorates to zero
 *       gives no line.</li>
 *   <li>A usage charge is rated from its {@link ChargeUsage} by {@link ChargeRater} under the segment's plan's own
 *       price (included quantity, minimum, maximum, pricing by dimension). For a partial segment, the included
 *       quantity, the minimum and the maximum are prorated by day like a flat fee (a commitment is per full period);
 *       tiers are not. Each rated line becomes a {@link LineKind#USAGE}, {@link LineKind#MINIMUM_TRUE_UP} or
 *       {@link LineKind#MAXIMUM_CAP} line.</li>
 *   <li>Every line's amount is its exact amount rounded once, HALF_UP to the currency's minor unit
 *       ({@link RoundingRule}); nothing else is rounded. Totals: subtotal = the sum of the rounded lines, one tax
 *       per rate on the subtotal, rounded once per rate ({@link InvoiceTotals}).</li>
 * </ul>
 * Guarantees: lines come in a stable order (segments in the order given; within a segment, charges in plan order;
 * within a charge, the rater's order) with stable ids {@code <charge key>:<segment index>:<line index>}, so the same
 * input always gives the same lines; non-negative usage and fees never give a negative line total; and
 * {@code total == sum of rounded lines + rounded taxes} exactly. Compute all the lines of one invoice in one call
 * (line ids are unique within a call).
 */
public final class InvoiceCalculator {
    private InvoiceCalculator() {
    }

    /**
     * The lines for one billing period. Each segment gives its flat fees (those whose timing it bills) prorated by
     * day, and, when it carries usage, its usage charges rated under its plan's prices. In-advance fees belong to
     * the period they are billed at the start of, in-arrears fees to the period they cover: the caller decides which
     * segments to pass (see {@link Segment#inAdvance} and {@link Segment#inArrears}).
     *
     * @throws InvalidBillingException if a segment's plan is not priced in {@code currency}, or a nominal period
     *     spans no local day
     * @throws dev.tally.core.pricing.InvalidUsageException if usage does not fit its charge's price
     */
    public static List<InvoiceLine> lines(List<Segment> segments, Currency currency, ZoneId zone) {
        Objects.requireNonNull(segments, "segments");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(zone, "zone");
        RoundingRule.minorUnitDigits(currency);
        List<InvoiceLine> out = new ArrayList<>();
        for (int s = 0; s < segments.size(); s++) {
            Segment segment = Objects.requireNonNull(segments.get(s), "segment");
            requireCurrency(segment, currency);
            Days days = Days.of(segment, zone);
            for (Charge charge : segment.plan().charges()) {
                switch (charge) {
                    case FlatCharge f -> {
                        if (segment.flatFees().contains(f.timing())) {
                            flatLine(segment, s, f, days, currency, zone).ifPresent(out::add);
                        }
                    }
                    case LicensedCharge l -> {
                        // billed from the subscription's quantities: dev.tally.core.billing.seat.SeatBilling
                    }
                    case UsageCharge u -> {
                        Optional<ChargeUsage> usage = segment.usageOf(u.key());
                        if (usage.isPresent()) {
                            out.addAll(usageLines(segment, s, usage.get(), days, currency, zone));
                        }
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * Credits for the unused part of flat fees already billed in advance: for each segment (the part no longer
     * used, e.g. from a plan change or a cancellation to the end of the period) and each flat fee whose timing it
     * bills, one {@link LineKind#PRORATION_CREDIT} line of minus the prorated fee, with the id
     * {@code <charge key>:credit:<segment index>}. Usage in the segments is ignored.
     *
     * @throws InvalidBillingException if a segment's plan is not priced in {@code currency}
     */
    public static List<InvoiceLine> prorationCredits(List<Segment> unused, Currency currency, ZoneId zone) {
        Objects.requireNonNull(unused, "unused");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(zone, "zone");
        List<InvoiceLine> out = new ArrayList<>();
        for (int s = 0; s < unused.size(); s++) {
            Segment segment = Objects.requireNonNull(unused.get(s), "segment");
            requireCurrency(segment, currency);
            Days days = Days.of(segment, zone);
            for (FlatCharge f : segment.plan().flatCharges()) {
                if (!segment.flatFees().contains(f.timing())) {
                    continue;
                }
                BigDecimal credit = Proration.prorate(f.amount(), segment.period(), segment.nominal(), zone).negate();
                if (credit.signum() == 0) {
                    continue;
                }
                out.add(new InvoiceLine(f.key() + ":credit:" + s, LineKind.PRORATION_CREDIT, f.key(),
                        "Unused " + f.name() + " (" + days.which() + ")", BigDecimal.ONE,
                        credit, new Money(credit, currency).rounded(), segment.period(), Optional.empty(),
                        Optional.empty(), segment.plan().key(), segment.plan().version(),
                        Optional.of(PlanJson.writeCharge(f).toString()), 0, Optional.empty()));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The totals of an invoice's lines: subtotal = the sum of the rounded line amounts, one tax per rate computed on
     * the subtotal and rounded once, total = subtotal + taxes (see {@link InvoiceTotals}). Which tax rates apply
     * (the customer's or the plan's) is the caller's choice.
     *
     * @throws InvalidBillingException if two lines share an id
     * @throws dev.tally.core.money.CurrencyMismatchException if a line is in another currency
     */
    public static InvoiceTotals totals(List<InvoiceLine> lines, List<TaxRate> taxRates, Currency currency) {
        Objects.requireNonNull(lines, "lines");
        Objects.requireNonNull(taxRates, "taxRates");
        Objects.requireNonNull(currency, "currency");
        Set<String> ids = new HashSet<>();
        for (InvoiceLine line : lines) {
            if (!ids.add(line.lineId())) {
                throw new InvalidBillingException("lines", "have the line id " + line.lineId() + " more than once");
            }
        }
        return InvoiceTotals.of(currency, lines.stream().map(InvoiceLine::amount).toList(), taxRates);
    }

    private static Optional<InvoiceLine> flatLine(Segment segment, int s, FlatCharge f, Days days, Currency currency,
            ZoneId zone) {
        BigDecimal exact = Proration.prorate(f.amount(), segment.period(), segment.nominal(), zone);
        if (exact.signum() == 0) {
            return Optional.empty();
        }
        return Optional.of(new InvoiceLine(lineId(f.key(), s, 0), LineKind.FLAT_FEE, f.key(), f.name() + days.note(),
                BigDecimal.ONE, exact, new Money(exact, currency).rounded(), segment.period(), Optional.empty(),
                Optional.empty(), segment.plan().key(), segment.plan().version(),
                Optional.of(PlanJson.writeCharge(f).toString()), 0, Optional.empty()));
    }

    private static List<InvoiceLine> usageLines(Segment segment, int s, ChargeUsage usage, Days days,
            Currency currency, ZoneId zone) {
        UsageCharge charge = usage.charge();
        ChargePricing pricing = days.partial() ? prorated(charge.pricing(), segment, zone) : charge.pricing();
        Rating rating = rate(pricing, usage, currency);
        int usageLineCount = rating.lines().size();
        if (pricing.minimumAmount().isPresent() || pricing.maximumAmount().isPresent()) {
            ChargePricing uncommitted = new ChargePricing(pricing.model(), pricing.includedQuantity(), Optional.empty(),
                    Optional.empty(), pricing.dimension(), pricing.byDimension());
            List<RatedLine> usageOnly = rate(uncommitted, usage, currency).lines();
            if (!rating.lines().subList(0, usageOnly.size()).equals(usageOnly)) {
                throw new IllegalStateException("the charge rater no longer appends commitment lines after usage lines");
            }
            usageLineCount = usageOnly.size();
        }
        String priceJson = PlanJson.writeCharge(charge).toString();
        List<InvoiceLine> out = new ArrayList<>();
        for (int i = 0; i < rating.lines().size(); i++) {
            RatedLine line = rating.lines().get(i);
            LineKind kind = i < usageLineCount ? LineKind.USAGE
                    : line.amount().signum() >= 0 ? LineKind.MINIMUM_TRUE_UP : LineKind.MAXIMUM_CAP;
            String description = charge.name() + ": " + line.description() + (kind == LineKind.USAGE ? "" : days.note());
            out.add(new InvoiceLine(lineId(charge.key(), s, i), kind, charge.key(), description, line.quantity(),
                    line.unitPrice(), new Money(line.amount(), currency).rounded(), segment.period(),
                    Optional.of(charge.meter()), Optional.of(usage.meterVersion()), segment.plan().key(),
                    segment.plan().version(), Optional.of(priceJson), usage.eventCount(), Optional.empty()));
        }
        return out;
    }

    /**
     * The included quantity a usage charge of the segment's plan gets in the segment: the plan's own allowance for
     * a whole period, prorated by day ({@link Proration}) for a partial one, exactly as {@link #lines} rates it. The
     * live estimate shows this figure so that its quantities and amounts agree with the invoice.
     *
     * @throws InvalidBillingException if the nominal period spans no local day
     */
    public static BigDecimal includedQuantity(UsageCharge charge, Segment segment, ZoneId zone) {
        Objects.requireNonNull(charge, "charge");
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(zone, "zone");
        Days days = Days.of(segment, zone);
        BigDecimal full = charge.pricing().includedQuantity();
        return days.partial() ? Proration.prorate(full, segment.period(), segment.nominal(), zone) : full;
    }

    /** The charge's period-based allowances (included quantity, minimum, maximum) prorated by day to the segment. */
    private static ChargePricing prorated(ChargePricing p, Segment segment, ZoneId zone) {
        Optional<BigDecimal> max = p.maximumAmount().map(m -> Proration.prorate(m, segment.period(), segment.nominal(), zone));
        // a minimum equal to the maximum may prorate a last digit above it (the division keeps each amount's own
        // scale): it stays within the maximum, as it was before proration
        Optional<BigDecimal> min = p.minimumAmount().map(m -> Proration.prorate(m, segment.period(), segment.nominal(), zone))
                .map(m -> max.isPresent() && m.compareTo(max.get()) > 0 ? max.get() : m);
        return new ChargePricing(p.model(), Proration.prorate(p.includedQuantity(), segment.period(), segment.nominal(), zone),
                min, max, p.dimension(), p.byDimension());
    }

    private static Rating rate(ChargePricing pricing, ChargeUsage usage, Currency currency) {
        if (usage.charge().ratedPerEvent()) {
            return ChargeRater.rate(pricing, Usage.events(usage.eventValues()), currency);
        }
        if (pricing.dimension().isPresent()) {
            Map<String, Usage> byValue = new TreeMap<>();
            usage.quantityByDimension().forEach((value, quantity) -> byValue.put(value, Usage.quantity(quantity)));
            return ChargeRater.rateByDimension(pricing, byValue, currency);
        }
        BigDecimal quantity = usage.quantityByDimension().getOrDefault(ChargeUsage.NO_DIMENSION, BigDecimal.ZERO);
        return ChargeRater.rate(pricing, Usage.quantity(quantity), currency);
    }

    private static void requireCurrency(Segment segment, Currency currency) {
        if (!segment.plan().currency().equals(currency)) {
            throw new InvalidBillingException("currency", "plan " + segment.plan().key() + " version "
                    + segment.plan().version() + " is priced in " + segment.plan().currency().getCurrencyCode()
                    + ", not " + currency.getCurrencyCode());
        }
    }

    private static String lineId(String chargeKey, int segment, int line) {
        return chargeKey + ":" + segment + ":" + line;
    }

    /** The local days of a segment and of its nominal period, and the segment's first and last local day. */
    private record Days(long part, long nominal, LocalDate first, LocalDate last) {
        private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMM d", Locale.ENGLISH);
        private static final DateTimeFormatter DAY_YEAR = DateTimeFormatter.ofPattern("MMM d, yyyy", Locale.ENGLISH);

        static Days of(Segment segment, ZoneId zone) {
            long nominal = Proration.days(segment.nominal(), zone);
            if (nominal == 0) {
                throw new InvalidBillingException("period", "the nominal period " + segment.nominal()
                        + " spans no local calendar day in " + zone.getId());
            }
            LocalDate first = segment.period().start().atZone(zone).toLocalDate();
            LocalDate end = segment.period().end().atZone(zone).toLocalDate();
            return new Days(Proration.days(segment.period(), zone), nominal, first,
                    end.isAfter(first) ? end.minusDays(1) : first);
        }

        boolean partial() {
            return part < nominal;
        }

        /** {@code "12 of 30 days, Mar 19 – Mar 31"}: how many days and which (with the years when they differ). */
        String which() {
            String range = first.getYear() == last.getYear()
                    ? DAY.format(first) + (last.equals(first) ? "" : " \u2013 " + DAY.format(last))
                    : DAY_YEAR.format(first) + " \u2013 " + DAY_YEAR.format(last);
            return part + " of " + nominal + (nominal == 1 ? " day, " : " days, ") + range;
        }

        /** {@code " (prorated 12 of 30 days, Mar 19 – Mar 31)"} for a partial segment, else nothing. */
        String note() {
            return partial() ? " (prorated " + which() + ")" : "";
        }
    }
}
