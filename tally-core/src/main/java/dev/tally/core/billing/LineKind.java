package dev.tally.core.billing;

import java.util.Arrays;
import java.util.Optional;

/**
 * What an invoice line is. Taxes are not lines: they are computed on the subtotal (see
 * {@link dev.tally.core.money.InvoiceTotals}). The sign of a line's amount follows its kind (checked by
 * {@link InvoiceLine}): {@link #FLAT_FEE}, {@link #USAGE} and {@link #MINIMUM_TRUE_UP} are never negative,
 * {@link #MAXIMUM_CAP}, {@link #PRORATION_CREDIT} and {@link #DISCOUNT} never positive, {@link #ADJUSTMENT} (a correction of a closed
 * period) either. The commitment kinds (see docs/COMMITMENTS.md): {@link #COMMITMENT_TRUE_UP} and
 * {@link #COMMITMENT_FEE} are never negative, {@link #COMMITMENT_DRAWDOWN} never positive, {@link #COMMITMENT_OVERAGE}
 * either. {@link #wireName()} is the API spelling ({@code "flat_fee"}, {@code "minimum_true_up"}, ...).
 */
public enum LineKind {
    /** A plan's flat fee, prorated by day to the part of the period billed. */
    FLAT_FEE("flat_fee", 1),
    /** Rated usage of a usage charge (including zero-priced "included usage" lines). */
    USAGE("usage", 1),
    /** The difference up to a usage charge's minimum commitment. */
    MINIMUM_TRUE_UP("minimum_true_up", 1),
    /** The excess removed above a usage charge's maximum amount. */
    MAXIMUM_CAP("maximum_cap", -1),
    /** The unused part of a flat fee billed in advance, given back (e.g. after a plan change). */
    PRORATION_CREDIT("proration_credit", -1),
    /** A correction of a finalized period (late usage), on a later invoice; names the period it adjusts. */
    ADJUSTMENT("adjustment", 0),
    /** A licensed charge for a period: the price of the quantity in force at its start, prorated by day. */
    LICENSED("licensed", 1),
    /** A mid-period change of a licensed charge's quantity (or plan, or an early end), prorated by day; either sign. */
    LICENSED_CHANGE("licensed_change", 0),
    /** The price of prepaid credits bought (a paid grant or an automatic top-up), on a one-off invoice. */
    CREDIT_PURCHASE("credit_purchase", 1),
    /** A discount (a coupon's redemption, or a percentage price override), never positive; names its source. */
    DISCOUNT("discount", -1),
    /** The difference up to a subscription's minimum commitment for a period (names the commitment). */
    COMMITMENT_TRUE_UP("commitment_true_up", 1),
    /** A prepaid commitment invoiced up front, at the start of its term (names the commitment). */
    COMMITMENT_FEE("commitment_fee", 1),
    /** The part of the invoice's charges a prepaid commitment paid, before tax (names the commitment). */
    COMMITMENT_DRAWDOWN("commitment_drawdown", -1),
    /** Charges of a prepaid commitment's term it could not pay, repriced at its overage rate (the difference). */
    COMMITMENT_OVERAGE("commitment_overage", 0);

    private final String wireName;
    private final int sign;

    LineKind(String wireName, int sign) {
        this.wireName = wireName;
        this.sign = sign;
    }

    /** The API spelling, e.g. {@code "minimum_true_up"}. */
    public String wireName() {
        return wireName;
    }

    /** The kind with this API spelling (exact, lower case), or empty. */
    public static Optional<LineKind> fromWireName(String name) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(name)).findFirst();
    }

    /** Whether an amount of this sign ({@code signum}) is allowed for the kind. */
    boolean allowsSign(int signum) {
        return sign == 0 || signum == 0 || signum == sign;
    }
}
