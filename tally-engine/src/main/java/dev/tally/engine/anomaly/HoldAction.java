package dev.tally.engine.anomaly;

import java.util.Arrays;
import java.util.Optional;

/**
 * What an anomaly of one customer does until it is reviewed, by the tenant's policy: nothing ({@code none}, the
 * default), keep the customer's invoices in draft ({@code draft_hold}: billing runs do not finalize them; an operator
 * still can), or deny every entitlement check ({@code entitlement_cut}: a hard suspension, reason
 * {@code customer_suspended}).
 */
public enum HoldAction {
    NONE("none"), DRAFT_HOLD("draft_hold"), ENTITLEMENT_CUT("entitlement_cut");

    private final String wireName;

    HoldAction(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<HoldAction> fromWireName(String s) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(s)).findFirst();
    }
}
