package dev.tally.core.billing.seat;

import dev.tally.core.billing.InvalidBillingException;
import dev.tally.core.billing.InvoiceLine;
import dev.tally.core.billing.LicensedCharge;
import dev.tally.core.billing.LineKind;
import dev.tally.core.billing.Period;
import dev.tally.core.billing.PlanJson;
import dev.tally.core.billing.Proration;
import dev.tally.core.money.Money;
import dev.tally.core.pricing.ChargePricing;
import dev.tally.core.pricing.ChargeRater;
import dev.tally.core.pricing.RatedLine;
import dev.tally.core.pricing.Rating;
import dev.tally.core.pricing.Usage;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The invoice lines of licensed charges (seats beside usage).
 * <ul>
 *   <li>{@link #base}: the price of the quantity in force when the billed part of a period starts, prorated by day to
 *       the part ({@code price(q) × days(part) / days(period)}); one {@link LineKind#LICENSED} line per line of the
 *       price model for a whole period (so tiers show), one line of quantity 1 for a partial one. Always at least one
 *       line, even when the price is zero, so that the charge is visibly billed.</li>
 *   <li>{@link #changes}: one {@link LineKind#LICENSED_CHANGE} line per step inside the period, in time order, of
 *       {@code (price(new) − price(billed)) × days(step, until) / days(period)}, where {@code billed} is the quantity
 *       billed so far in the period. An increase under {@link LicensedCharge.Increase#PERIOD_END} and a decrease under
 *       {@link LicensedCharge.Decrease#NONE} leave {@code billed} as it was and give a line of 0 that says so. A plan
 *       change bills the new plan's price of the actual quantity against what was billed; an end credits what was
 *       billed.</li>
 * </ul>
 * Guarantees: prices of a count come from the charge's own price model ({@link ChargeRater}), so tiers and volume
 * work over the count exactly as over usage; a tiered change is the difference of the tiered prices, never a
 * per-seat price times the difference. When every change is billed (increases immediate, decreases credited), the
 * exact amounts of the base and its change lines add up to the day-weighted sum of {@code price(count of the day)}
 * (each day at the count in force at its end), up to one unit of the 20th extra digit of {@link Proration} per line;
 * an increase and its reversal on the same day give lines that are exact opposites, before and after rounding.
 * Nothing here rounds except each line, once.
 */
public final class SeatBilling {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMM d", Locale.ENGLISH);
    private static final DateTimeFormatter DAY_YEAR = DateTimeFormatter.ofPattern("MMM d, yyyy", Locale.ENGLISH);

    private SeatBilling() {
    }

    /** What a meter-read quantity was measured from (for the line's explanation). */
    public record Measured(String meter, int meterVersion, long events) {
        /** Validates: a meter, a version of at least 1, a non-negative event count. */
        public Measured {
            Objects.requireNonNull(meter, "meter");
            if (meterVersion < 1 || events < 0) {
                throw new IllegalArgumentException("a meter version of at least 1 and a non-negative event count");
            }
        }
    }

    /** The exact price of {@code quantity} units under the charge's price model (never rounded). */
    public static BigDecimal price(LicensedCharge charge, BigDecimal quantity, Currency currency) {
        return rating(charge, quantity, currency).amount();
    }

    private static Rating rating(LicensedCharge charge, BigDecimal quantity, Currency currency) {
        return ChargeRater.rate(ChargePricing.of(charge.price()), Usage.quantity(quantity), currency);
    }

    /**
     * The base lines of a licensed charge for {@code part} of the period {@code nominal}: the price of
     * {@code quantity}, prorated by day when the part is not the whole period.
     *
     * @throws InvalidBillingException if the part is not within the period, or the plan is in another currency
     */
    public static List<InvoiceLine> base(PricedCharge priced, BigDecimal quantity, Period part, Period nominal,
            Currency currency, ZoneId zone, Optional<Measured> measured) {
        Objects.requireNonNull(priced, "priced");
        Objects.requireNonNull(quantity, "quantity");
        requireCurrency(priced, currency);
        if (!nominal.encloses(part)) {
            throw new InvalidBillingException("period", part + " is not within the period " + nominal);
        }
        LicensedCharge charge = priced.charge();
        String name = charge.name() + " (" + plain(quantity) + ")";
        Rating rating = rating(charge, quantity, currency);
        long days = Proration.days(part, zone);
        long whole = Proration.days(nominal, zone);
        List<InvoiceLine> out = new ArrayList<>();
        if (days == whole && !rating.lines().isEmpty()) {
            for (int i = 0; i < rating.lines().size(); i++) {
                RatedLine r = rating.lines().get(i);
                out.add(line(charge.key() + ":base:" + i, LineKind.LICENSED, priced, name + ": " + r.description(),
                        r.quantity(), r.unitPrice(), currency, part, measured));
            }
            return out;
        }
        BigDecimal exact = Proration.prorate(rating.amount(), part, nominal, zone);
        String note = days == whole ? "" : " (prorated " + which(part, days, whole, zone) + ")";
        out.add(line(charge.key() + ":base:0", LineKind.LICENSED, priced, name + note, BigDecimal.ONE, exact, currency,
                part, measured));
        return out;
    }

    /**
     * The lines of the steps inside a billing period, each prorated over {@code [step, until)} of the period
     * {@code nominal}. {@code start} is the charge in force when the billed part started (empty when the plan had
     * none) and {@code startQuantity} the quantity billed then. Steps are taken in time order (a stable sort keeps
     * the given order of steps at one instant); steps at or after {@code until}, and every step after an
     * {@link SeatStep.End}, give nothing.
     *
     * @throws InvalidBillingException if {@code until} is outside the period, or a step is before the period
     */
    public static List<InvoiceLine> changes(Optional<PricedCharge> start, BigDecimal startQuantity, List<SeatStep> steps,
            Instant until, Period nominal, Currency currency, ZoneId zone) {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(startQuantity, "startQuantity");
        Objects.requireNonNull(until, "until");
        if (until.isAfter(nominal.end()) || !until.isAfter(nominal.start())) {
            throw new InvalidBillingException("until", until + " is not inside the period " + nominal);
        }
        List<SeatStep> ordered = steps.stream().sorted(Comparator.comparing(SeatStep::at)).toList();
        Optional<PricedCharge> priced = start;
        priced.ifPresent(p -> requireCurrency(p, currency));
        BigDecimal billed = startQuantity;
        BigDecimal actual = startQuantity;
        List<InvoiceLine> out = new ArrayList<>();
        for (SeatStep step : ordered) {
            if (step.at().isBefore(nominal.start())) {
                throw new InvalidBillingException("steps", "a step at " + step.at() + " is before the period " + nominal);
            }
            if (!step.at().isBefore(until)) {
                break;
            }
            Period rest = new Period(step.at(), until);
            String note = " (prorated " + which(rest, Proration.days(rest, zone), Proration.days(nominal, zone), zone) + ")";
            String id = "seat:" + out.size();
            switch (step) {
                case SeatStep.Quantity q -> {
                    BigDecimal was = actual;
                    actual = q.quantity();
                    if (priced.isEmpty()) {
                        continue;
                    }
                    LicensedCharge c = priced.get().charge();
                    String what = c.name() + ": " + plain(was) + " \u2192 " + plain(q.quantity()) + " from "
                            + day(step.at(), zone) + " (change " + q.changeId() + ")";
                    int direction = q.quantity().compareTo(billed);
                    boolean billedNow = direction > 0 ? c.increase() == LicensedCharge.Increase.IMMEDIATE
                            : direction < 0 && c.decrease() == LicensedCharge.Decrease.CREDIT;
                    if (billedNow) {
                        BigDecimal diff = price(c, q.quantity(), currency).subtract(price(c, billed, currency));
                        out.add(line(c.key() + ":" + id, LineKind.LICENSED_CHANGE, priced.get(), what + ", "
                                + plain(billed) + " billed before" + note, BigDecimal.ONE,
                                Proration.prorate(diff, rest, nominal, zone), currency, rest, Optional.empty()));
                        billed = q.quantity();
                    } else {
                        String why = direction > 0 ? "an increase is billed from the next period"
                                : direction < 0 ? "a decrease is not credited" : "the billed quantity is unchanged";
                        out.add(line(c.key() + ":" + id, LineKind.LICENSED_CHANGE, priced.get(), what + ": "
                                + why + " (" + plain(billed) + " billed)", BigDecimal.ONE, BigDecimal.ZERO, currency,
                                rest, Optional.empty()));
                    }
                }
                case SeatStep.PlanChange p -> {
                    if (priced.isEmpty() && p.next().isEmpty()) {
                        continue;
                    }
                    p.next().ifPresent(n -> requireCurrency(n, currency));
                    BigDecimal before = priced.isPresent() ? price(priced.get().charge(), billed, currency) : BigDecimal.ZERO;
                    BigDecimal after = p.next().isPresent() ? price(p.next().get().charge(), actual, currency)
                            : BigDecimal.ZERO;
                    PricedCharge shown = p.next().orElseGet(priced::orElseThrow);
                    String what = shown.charge().name() + ": plan change to " + shown.plan().key() + " version "
                            + shown.plan().version() + " on " + day(step.at(), zone) + " (" + plain(billed)
                            + " billed before, " + plain(p.next().isPresent() ? actual : BigDecimal.ZERO) + " after)";
                    out.add(line(shown.charge().key() + ":" + id, LineKind.LICENSED_CHANGE, shown, what + note,
                            BigDecimal.ONE, Proration.prorate(after.subtract(before), rest, nominal, zone), currency,
                            rest, Optional.empty()));
                    priced = p.next();
                    billed = actual;
                }
                case SeatStep.End e -> {
                    if (priced.isPresent()) {
                        LicensedCharge c = priced.get().charge();
                        BigDecimal credit = price(c, billed, currency).negate();
                        out.add(line(c.key() + ":" + id, LineKind.LICENSED_CHANGE, priced.get(), "Unused " + c.name()
                                + " (" + plain(billed) + ") after the subscription ended on " + day(step.at(), zone)
                                + note, BigDecimal.ONE, Proration.prorate(credit, rest, nominal, zone), currency, rest,
                                Optional.empty()));
                    }
                    return out;
                }
            }
        }
        return out;
    }

    private static InvoiceLine line(String id, LineKind kind, PricedCharge priced, String description,
            BigDecimal quantity, BigDecimal unitPrice, Currency currency, Period period, Optional<Measured> measured) {
        return new InvoiceLine(id, kind, priced.charge().key(), description, quantity, unitPrice,
                new Money(quantity.multiply(unitPrice), currency).rounded(), period, measured.map(Measured::meter),
                measured.map(Measured::meterVersion), priced.plan().key(), priced.plan().version(),
                Optional.of(PlanJson.writeCharge(priced.charge()).toString()), measured.map(Measured::events).orElse(0L),
                Optional.empty());
    }

    private static void requireCurrency(PricedCharge p, Currency currency) {
        if (!p.plan().currency().equals(currency)) {
            throw new InvalidBillingException("currency", "plan " + p.plan().key() + " version " + p.plan().version()
                    + " is priced in " + p.plan().currency().getCurrencyCode() + ", not " + currency.getCurrencyCode());
        }
    }

    static String plain(BigDecimal q) {
        BigDecimal s = q.stripTrailingZeros();
        return (s.scale() < 0 ? s.setScale(0) : s).toPlainString();
    }

    private static String day(Instant t, ZoneId zone) {
        return DAY.format(t.atZone(zone).toLocalDate());
    }

    /** {@code "22 of 31 days, Dec 10 – Dec 31"}, as flat-fee proration lines say it. */
    private static String which(Period part, long days, long whole, ZoneId zone) {
        LocalDate first = part.start().atZone(zone).toLocalDate();
        LocalDate end = part.end().atZone(zone).toLocalDate();
        LocalDate last = end.isAfter(first) ? end.minusDays(1) : first;
        String range = first.getYear() == last.getYear()
                ? DAY.format(first) + (last.equals(first) ? "" : " \u2013 " + DAY.format(last))
                : DAY_YEAR.format(first) + " \u2013 " + DAY_YEAR.format(last);
        return days + " of " + whole + (whole == 1 ? " day, " : " days, ") + range;
    }
}
