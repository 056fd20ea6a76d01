package dev.tally.engine.payment;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a payment fact says happened: an attempt under way, money received, an attempt that failed, money
 * returned, or a dispute opened. Only {@code succeeded} and {@code refunded} move money.
 */
public enum FactKind {
    PROCESSING("processing"), SUCCEEDED("succeeded"), FAILED("failed"), REFUNDED("refunded"), DISPUTED("disputed");

    private final String wireName;

    FactKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** An attempt's outcome (processing, succeeded, failed), as opposed to what happens after the money moved. */
    boolean isAttempt() {
        return this == PROCESSING || this == SUCCEEDED || this == FAILED;
    }

    public static Optional<FactKind> fromWireName(String s) {
        return Arrays.stream(values()).filter(v -> v.wireName.equals(s)).findFirst();
    }
}
