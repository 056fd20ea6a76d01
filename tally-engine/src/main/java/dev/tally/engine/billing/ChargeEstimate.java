package dev.tally.engine.billing;

import java.math.BigDecimal;
import java.util.Optional;

/** One charge of the current period: usage so far, the included allowance, what is billable, and the amount so far. */
public record ChargeEstimate(String charge, String name, Optional<String> meter, BigDecimal quantity,
        BigDecimal included, BigDecimal billable, BigDecimal amount) {
}
