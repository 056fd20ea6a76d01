package dev.tally.core.discount;

import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.LineSource;
import dev.tally.core.billing.Period;
import dev.tally.core.money.Money;
import dev.tally.core.money.RoundingRule;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The discount lines of an invoice. Discounts apply in the order given, each to what the earlier ones left:
 * <ul>
 *   <li>a charge's base is the sum of its lines (usage, fees, true-ups, caps, proration credits, adjustments and
 *       earlier discounts), never below zero; the invoice's is the sum of all its lines, never below zero;</li>
 *   <li>a percentage gives, per charge it applies to, {@code base × percent / 100} rounded HALF_UP to the minor unit
 *       (the one rounding rule of Tally), at most the base;</li>
 *   <li>a fixed amount gives at most the sum of the bases it applies to, split over them in proportion to their
 *       bases by the largest-remainder rule, exact to the minor unit;</li>
 *   <li>when a discount would take the invoice below zero (negative lines of other charges), it is cut to the
 *       invoice's base, the cut split the same way.</li>
 * </ul>
 * Each discount gives one {@link LineKind#DISCOUNT} line per charge it takes something off (quantity 1, the negative
 * amount as unit price), naming the discount's source. Guarantees: no charge and no invoice ends below zero because
 * of a discount, and each discount's lines sum exactly to what it took off.
 */
public final class DiscountCalculator {
    private DiscountCalculator() {
    }

    /** The discount lines and what each discount (by source id) took off in total. */
    public record Result(List<InvoiceLine> lines, Map<String, Money> taken) {
        public Result {
            lines = List.copyOf(lines);
            taken = Map.copyOf(taken);
        }
    }

    /**
     * Applies {@code discounts}, in order, to {@code lines} (the invoice's lines in {@code currency}); the discount
     * lines cover {@code period} and have ids {@code discount:<n>}.
     */
    public static Result apply(List<InvoiceLine> lines, List<Discount> discounts, Currency currency, Period period) {
        int digits = RoundingRule.minorUnitDigits(currency);
        Map<String, BigDecimal> base = new LinkedHashMap<>();
        Map<String, InvoiceLine> sample = new LinkedHashMap<>();
        BigDecimal invoice = BigDecimal.ZERO;
        for (InvoiceLine l : lines) {
            base.merge(l.chargeKey(), l.amount().amount(), BigDecimal::add);
            sample.putIfAbsent(l.chargeKey(), l);
            invoice = invoice.add(l.amount().amount());
        }
        invoice = invoice.max(BigDecimal.ZERO);
        List<InvoiceLine> out = new ArrayList<>();
        Map<String, Money> taken = new LinkedHashMap<>();
        for (Discount d : discounts) {
            List<String> keys = new ArrayList<>();
            List<BigDecimal> bases = new ArrayList<>();
            for (Map.Entry<String, BigDecimal> e : base.entrySet()) {
                if (d.appliesTo(e.getKey()) && e.getValue().signum() > 0) {
                    keys.add(e.getKey());
                    bases.add(e.getValue());
                }
            }
            BigDecimal eligible = bases.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            List<BigDecimal> wanted;
            if (d.percent().isPresent()) {
                wanted = new ArrayList<>();
                for (BigDecimal b : bases) {
                    wanted.add(RoundingRule.round(b.multiply(d.percent().get()).movePointLeft(2), currency).min(b)
                            .setScale(digits));
                }
            } else {
                BigDecimal total = d.amount().get().amount().min(eligible);
                wanted = eligible.signum() == 0 ? bases.stream().map(b -> BigDecimal.ZERO.setScale(digits)).toList()
                        : Allocation.split(total.setScale(digits), scaled(bases, digits), digits);
            }
            BigDecimal sum = wanted.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            if (sum.compareTo(invoice) > 0) {
                wanted = Allocation.split(invoice.setScale(digits), scaled(wanted, digits), digits);
                sum = invoice;
            }
            for (int i = 0; i < keys.size(); i++) {
                BigDecimal a = wanted.get(i);
                if (a.signum() == 0) {
                    continue;
                }
                InvoiceLine s = sample.get(keys.get(i));
                BigDecimal negative = a.negate();
                out.add(new InvoiceLine("discount:" + (out.size() + 1), LineKind.DISCOUNT, keys.get(i),
                        d.label() + " on " + keys.get(i), BigDecimal.ONE, negative, new Money(negative, currency),
                        period, Optional.empty(), Optional.empty(), s.plan(), s.planVersion(), Optional.empty(), 0,
                        Optional.empty(), Optional.of(d.source())));
                base.merge(keys.get(i), negative, BigDecimal::add);
            }
            invoice = invoice.subtract(sum);
            taken.merge(d.source().id(), new Money(sum, currency), Money::plus);
        }
        return new Result(out, taken);
    }

    private static List<BigDecimal> scaled(List<BigDecimal> xs, int digits) {
        return xs.stream().map(x -> x.setScale(digits)).toList();
    }

    /**
     * What of each line a credit note may give back: a positive line's amount less its share of its charge's
     * discount lines (the charge's discounts split over its positive lines in proportion to their amounts, by the
     * largest-remainder rule); other lines' own amounts. So crediting every line of a discounted invoice gives back
     * its subtotal, not the price before discounts.
     */
    public static Map<String, BigDecimal> creditable(List<InvoiceLine> lines) {
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        Map<String, List<InvoiceLine>> positive = new LinkedHashMap<>();
        Map<String, BigDecimal> discounted = new LinkedHashMap<>();
        for (InvoiceLine l : lines) {
            out.put(l.lineId(), l.amount().amount());
            if (l.kind() == LineKind.DISCOUNT) {
                discounted.merge(l.chargeKey(), l.amount().amount().negate(), BigDecimal::add);
            } else if (l.amount().amount().signum() > 0) {
                positive.computeIfAbsent(l.chargeKey(), k -> new ArrayList<>()).add(l);
            }
        }
        for (Map.Entry<String, BigDecimal> e : discounted.entrySet()) {
            List<InvoiceLine> ps = positive.getOrDefault(e.getKey(), List.of());
            if (ps.isEmpty()) {
                continue;
            }
            int digits = RoundingRule.minorUnitDigits(ps.get(0).amount().currency());
            List<BigDecimal> weights = ps.stream().map(l -> l.amount().amount().setScale(digits)).toList();
            BigDecimal total = e.getValue().min(weights.stream().reduce(BigDecimal.ZERO, BigDecimal::add));
            List<BigDecimal> shares = Allocation.split(total.setScale(digits), weights, digits);
            for (int i = 0; i < ps.size(); i++) {
                out.put(ps.get(i).lineId(), ps.get(i).amount().amount().subtract(shares.get(i)));
            }
        }
        return out;
    }

    /** The sum of the discount lines of {@code source} among {@code lines}, positive (what it took off). */
    public static BigDecimal takenBy(List<InvoiceLine> lines, LineSource source) {
        return lines.stream().filter(l -> l.kind() == LineKind.DISCOUNT && l.source().filter(source::equals).isPresent())
                .map(l -> l.amount().amount().negate()).reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
