package dev.tally.core.billing.seat;

import dev.tally.core.billing.InvalidBillingException;
import dev.tally.core.billing.LicensedCharge;
import dev.tally.core.billing.Plan;
import java.util.Objects;

/** A licensed charge with the plan version it belongs to. Guarantees the charge is the plan's own. */
public record PricedCharge(Plan plan, LicensedCharge charge) {

    /** Validates (see the type's guarantees). */
    public PricedCharge {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(charge, "charge");
        if (!plan.charge(charge.key()).filter(charge::equals).isPresent()) {
            throw new InvalidBillingException("charge", charge.key() + " is not a charge of plan " + plan.key()
                    + " version " + plan.version());
        }
    }
}
