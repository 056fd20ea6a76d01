package dev.tally.engine.anomaly;

import java.util.Arrays;
import java.util.Optional;

/** The signals detection raises, with their wire names (docs/ANOMALIES.md says how each is computed). */
public enum AnomalyKind {
    /** A customer × meter's hourly event rate far above its baseline. */
    USAGE_SPIKE("usage_spike"),
    /** A customer × meter that sends steadily sent nothing for several hours (a broken integration). */
    USAGE_STOPPED("usage_stopped"),
    /** A source's share of duplicate events far above its normal share. */
    DUPLICATE_STORM("duplicate_storm"),
    /** A source's share of rejected events far above its normal share. */
    REJECTED_STORM("rejected_storm"),
    /** A source the tenant never sent from sent events in bulk. */
    NEW_SOURCE("new_source"),
    /** A source sent events in bulk whose time is far in the past or the future. */
    TIMESTAMP_SKEW("timestamp_skew"),
    /** An API key sent events for many customers it never sent for before. */
    KEY_CUSTOMER_SPREAD("key_customer_spread");

    private final String wireName;

    AnomalyKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<AnomalyKind> fromWireName(String s) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(s)).findFirst();
    }

    /** Whether the kind is about one customer's usage rate (and so can hold that customer). */
    public boolean perCustomer() {
        return this == USAGE_SPIKE || this == USAGE_STOPPED;
    }
}
