package dev.tally.core.ledger;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a ledger entry records. The sign of its amount follows the kind (checked by {@link LedgerEntry}):
 * {@link #GRANT} and {@link #REVERSAL} add to a balance, {@link #DRAWDOWN}, {@link #EXPIRY} and {@link #VOID} take
 * from it, an {@link #ADJUSTMENT} does either (never zero). {@link #wireName()} is the API spelling.
 */
public enum EntryKind {
    /** The opening entry of a grant: its whole amount. */
    GRANT("grant", 1),
    /** Credits paying (part of) a finalized invoice. */
    DRAWDOWN("drawdown", -1),
    /** What was left of a grant when it expired. */
    EXPIRY("expiry", -1),
    /** What was left of a grant when it was voided (by an operator, or with the invoice that issued it). */
    VOID("void", -1),
    /** A drawdown given back, because the invoice that drew it was voided; names the drawdown it reverses. */
    REVERSAL("reversal", 1),
    /** A manual correction of a grant's balance, with its reason. */
    ADJUSTMENT("adjustment", 0);

    private final String wireName;
    private final int sign;

    EntryKind(String wireName, int sign) {
        this.wireName = wireName;
        this.sign = sign;
    }

    /** The API spelling, e.g. {@code "drawdown"}. */
    public String wireName() {
        return wireName;
    }

    /** The kind with this API spelling (exact, lower case), or empty. */
    public static Optional<EntryKind> fromWireName(String name) {
        return Arrays.stream(values()).filter(k -> k.wireName.equals(name)).findFirst();
    }

    /** Whether an amount of this sign ({@code signum}) is allowed; zero never is. */
    boolean allowsSign(int signum) {
        return signum != 0 && (sign == 0 || signum == sign);
    }
}
