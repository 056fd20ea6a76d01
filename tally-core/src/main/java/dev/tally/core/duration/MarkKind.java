package dev.tally.core.duration;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * What one event of a duration meter says about its session: it started, it is still running (heartbeat), or it
 * stopped. The declaration order is the order of marks that share an instant: a stop sorts after a start or a
 * heartbeat at the same instant, so a session stopped at {@code t} covers nothing after {@code t}. {@link #code()} is
 * how the kind travels in a meter contribution's value (0, 1, 2).
 */
public enum MarkKind {
    START, HEARTBEAT, STOP;

    private static final BigInteger THREE = BigInteger.valueOf(3);

    /** The kind's code: 0 start, 1 heartbeat, 2 stop. */
    public BigDecimal code() {
        return BigDecimal.valueOf(ordinal());
    }

    /**
     * The kind a code stands for. Total: any number maps to a kind (its integer part modulo 3), so a state can never
     * fail on a value; the contributions Tally makes carry exactly 0, 1 or 2.
     */
    public static MarkKind ofCode(BigDecimal code) {
        return values()[code.toBigInteger().mod(THREE).intValue()];
    }

    /** Whether the time after this mark is covered (until the next mark of its key or the timeout). */
    public boolean opens() {
        return this != STOP;
    }
}
