package dev.tally.core.discount;

import java.util.Arrays;
import java.util.Optional;

/** How long a coupon's redemption lasts: one billing period, a number of periods, or for ever. */
public enum CouponDuration {
    ONCE("once"),
    REPEATING("repeating"),
    FOREVER("forever");

    private final String wireName;

    CouponDuration(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<CouponDuration> fromWireName(String name) {
        return Arrays.stream(values()).filter(d -> d.wireName.equals(name)).findFirst();
    }
}
