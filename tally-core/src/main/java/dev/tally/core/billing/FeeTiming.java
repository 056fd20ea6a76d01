package dev.tally.core.billing;

import java.util.Arrays;
import java.util.Optional;

/**
 * When a flat fee is billed: {@link #IN_ADVANCE} on the invoice issued at the start of the period it pays for,
 * {@link #IN_ARREARS} on the invoice issued at the end of the period it covers. {@link #wireName()} is the API
 * spelling ({@code "in_advance"}, {@code "in_arrears"}).
 */
public enum FeeTiming {
    IN_ADVANCE("in_advance"),
    IN_ARREARS("in_arrears");

    private final String wireName;

    FeeTiming(String wireName) {
        this.wireName = wireName;
    }

    /** The API spelling, e.g. {@code "in_advance"}. */
    public String wireName() {
        return wireName;
    }

    /** The timing with this API spelling (exact, lower case), or empty. */
    public static Optional<FeeTiming> fromWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }
}
