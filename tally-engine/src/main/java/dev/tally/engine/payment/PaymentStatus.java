package dev.tally.engine.payment;

import java.util.Arrays;
import java.util.Optional;

/** An invoice's payment status, separate from the invoice status; derived from its payment facts only. */
public enum PaymentStatus {
    PENDING("pending"), PROCESSING("processing"), SUCCEEDED("succeeded"), FAILED("failed"),
    PARTIALLY_REFUNDED("partially_refunded"), REFUNDED("refunded"), DISPUTED("disputed");

    private final String wireName;

    PaymentStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<PaymentStatus> fromWireName(String s) {
        return Arrays.stream(values()).filter(v -> v.wireName.equals(s)).findFirst();
    }
}
