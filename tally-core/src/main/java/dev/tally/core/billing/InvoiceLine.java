package dev.tally.core.billing;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.util.Objects;
import java.util.Optional;

/**
 * One line of an invoice, explainable on its own (DESIGN principle 8): what it is ({@code kind}, {@code chargeKey},
 * {@code description}), how it was computed ({@code quantity} × {@code unitPrice}, exact), what it charges
 * ({@code amount}, rounded once to the currency's minor unit), the part of the billing period it covers, and what it
 * was computed from: the meter and meter version (usage lines), the plan and plan version, a JSON snapshot of the
 * charge's price ({@code priceJson}) and the number of events behind it. An {@link LineKind#ADJUSTMENT} names the
 * closed period it corrects.
 *
 * <p>Guarantees: {@code amount} is exactly {@code quantity × unitPrice} rounded once by the
 * {@link dev.tally.core.money.RoundingRule} (so anyone can recompute it), the quantity is not negative, the amount's
 * sign fits the kind ({@link LineKind}), meter and meter version are given together, versions are at least 1, the
 * event count is not negative, and {@code adjustsPeriod} is present exactly for adjustments. {@code lineId} is
 * stable across recomputations of the same invoice (see {@link InvoiceCalculator}). {@code source} names what, beside
 * the plan, priced the line: a subscription's price override (id and version) or a coupon's redemption (a
 * {@link LineKind#DISCOUNT} line); empty for lines priced by the plan alone.
 */
public record InvoiceLine(String lineId, LineKind kind, String chargeKey, String description, BigDecimal quantity,
        BigDecimal unitPrice, Money amount, Period period, Optional<String> meter, Optional<Integer> meterVersion,
        String plan, int planVersion, Optional<String> priceJson, long eventCount, Optional<Period> adjustsPeriod,
        Optional<LineSource> source) {

    /** A line priced by the plan alone (no {@link #source()}). */
    public InvoiceLine(String lineId, LineKind kind, String chargeKey, String description, BigDecimal quantity,
            BigDecimal unitPrice, Money amount, Period period, Optional<String> meter, Optional<Integer> meterVersion,
            String plan, int planVersion, Optional<String> priceJson, long eventCount, Optional<Period> adjustsPeriod) {
        this(lineId, kind, chargeKey, description, quantity, unitPrice, amount, period, meter, meterVersion, plan,
                planVersion, priceJson, eventCount, adjustsPeriod, Optional.empty());
    }

    /** Validates (see the type's guarantees). */
    public InvoiceLine {
        requireText(lineId, "line_id");
        Objects.requireNonNull(kind, "kind");
        requireText(chargeKey, "charge_key");
        requireText(description, "description");
        Objects.requireNonNull(quantity, "quantity");
        Objects.requireNonNull(unitPrice, "unitPrice");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(meterVersion, "meterVersion");
        requireText(plan, "plan");
        Objects.requireNonNull(priceJson, "priceJson");
        Objects.requireNonNull(adjustsPeriod, "adjustsPeriod");
        Objects.requireNonNull(source, "source");
        if (quantity.signum() < 0) {
            throw new InvalidBillingException("quantity", "must not be negative, got " + quantity.toPlainString());
        }
        if (!amount.isRounded()) {
            throw new InvalidBillingException("amount", "must be rounded to the minor unit of "
                    + amount.currency().getCurrencyCode() + ", got " + amount.plainString());
        }
        Money expected = new Money(quantity.multiply(unitPrice), amount.currency()).rounded();
        if (!amount.equals(expected)) {
            throw new InvalidBillingException("amount", amount.plainString() + " is not quantity "
                    + quantity.toPlainString() + " × unit price " + unitPrice.toPlainString() + " rounded ("
                    + expected.plainString() + ")");
        }
        if (!kind.allowsSign(amount.amount().signum())) {
            throw new InvalidBillingException("amount", "of a " + kind.wireName() + " line must not be "
                    + (amount.isNegative() ? "negative" : "positive") + ", got " + amount.plainString());
        }
        if (meter.isPresent() != meterVersion.isPresent()) {
            throw new InvalidBillingException("meter_version", "must be given exactly when the meter is");
        }
        if (meterVersion.isPresent() && meterVersion.get() < 1) {
            throw new InvalidBillingException("meter_version", "must be at least 1, got " + meterVersion.get());
        }
        if (planVersion < 1) {
            throw new InvalidBillingException("plan_version", "must be at least 1, got " + planVersion);
        }
        if (eventCount < 0) {
            throw new InvalidBillingException("event_count", "must not be negative, got " + eventCount);
        }
        if (adjustsPeriod.isPresent() != (kind == LineKind.ADJUSTMENT)) {
            throw new InvalidBillingException("adjusts_period", "must be given exactly for adjustment lines");
        }
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidBillingException(field, "must not be blank");
        }
    }

    /** This line with another id (everything else kept). */
    public InvoiceLine withId(String id) {
        return new InvoiceLine(id, kind, chargeKey, description, quantity, unitPrice, amount, period, meter, meterVersion,
                plan, planVersion, priceJson, eventCount, adjustsPeriod, source);
    }

    /** This line naming {@code by} as what priced it. */
    public InvoiceLine pricedBy(LineSource by) {
        return new InvoiceLine(lineId, kind, chargeKey, description, quantity, unitPrice, amount, period, meter,
                meterVersion, plan, planVersion, priceJson, eventCount, adjustsPeriod, Optional.of(by));
    }
}
