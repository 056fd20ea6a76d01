package dev.tally.engine.credit;

import dev.tally.core.money.Money;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What credits need to know of an invoice being finalized: whose it is, its number, its total before credits, the
 * sum of its line amounts per charge key (for grants limited to some charges), and when it is finalized.
 */
public record InvoiceToSettle(String tenant, String customer, String invoiceId, String number, Money total,
        Map<String, Money> chargeAmounts, Instant at) {
    public InvoiceToSettle {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(invoiceId, "invoiceId");
        Objects.requireNonNull(number, "number");
        Objects.requireNonNull(total, "total");
        chargeAmounts = Map.copyOf(chargeAmounts);
        Objects.requireNonNull(at, "at");
    }
}
