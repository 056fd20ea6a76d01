package dev.tally.engine.billing;

import dev.tally.core.billing.InvoiceLine;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One charge of the current period, computed exactly as the invoice will compute it: the usage so far
 * ({@code quantity}, the meter's raw total), the included quantity the invoice subtracts ({@code included}: the plan's
 * allowance prorated by day when the subscription covers only part of the period), the plan's full allowance
 * ({@code includedFull}), what is billable ({@code max(0, quantity − included)}, with {@code quantity} first rounded by
 * the meter version's aggregate rounding if it has one), the amount so far (the sum of {@code lines}, each rounded once),
 * the unit price when the charge is priced per unit (then {@code billable × unitPrice} rounded is the amount), the
 * invoice lines themselves (each {@code quantity × unit_price = amount}), and the invoice the amount is already on,
 * if any (an in-advance fee is billed at the start of its period, so it is on a draft or finalized invoice already).
 * A flat fee has quantity, billable 1 and nothing included.
 */
public record ChargeEstimate(String charge, String name, Optional<String> meter, BigDecimal quantity,
        BigDecimal included, BigDecimal billable, BigDecimal amount, BigDecimal includedFull,
        Optional<BigDecimal> unitPrice, List<InvoiceLine> lines, Optional<Invoiced> invoiced) {

    /** Validates: every part present; the lines are copied. */
    public ChargeEstimate {
        Objects.requireNonNull(meter, "meter");
        Objects.requireNonNull(unitPrice, "unitPrice");
        Objects.requireNonNull(invoiced, "invoiced");
        lines = List.copyOf(lines);
    }

    /** The invoice a charge's amount of the current period is already on: its id, number (once final) and status. */
    public record Invoiced(String invoice, Optional<String> number, InvoiceStatus status) {
    }
}
