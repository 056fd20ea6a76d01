package dev.tally.core.ledger;

import dev.tally.core.money.Money;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One immutable fact of a wallet's ledger: {@code amount} (signed: positive adds to the balance) of {@code kind} on
 * grant {@code grantId}, at {@code at}, numbered {@code sequence} within its wallet (1, 2, ...: the ledger's order),
 * with the {@code reason} (why) and the {@code source} (who or what: an API key, an invoice, the expiry of the grant).
 * {@code invoiceId} names the invoice a drawdown paid, a reversal gave back, or an invoice credit came from;
 * {@code reverses} names the drawdown a {@link EntryKind#REVERSAL} gives back (present exactly for reversals).
 *
 * <p>Guarantees: the amount is at the currency's minor unit and its sign fits the kind (never zero), the sequence is
 * at least 1, drawdowns and reversals name their invoice.
 */
public record LedgerEntry(String id, long sequence, String grantId, EntryKind kind, Money amount, Instant at,
        String reason, String source, Optional<String> invoiceId, Optional<String> reverses) {

    /** Validates (see the type's guarantees). */
    public LedgerEntry {
        requireText(id, "id");
        if (sequence < 1) {
            throw new InvalidLedgerException("sequence", "must be at least 1, got " + sequence);
        }
        requireText(grantId, "grant");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(amount, "amount");
        if (!amount.isRounded()) {
            throw new InvalidLedgerException("amount", "must be in the minor unit of "
                    + amount.currency().getCurrencyCode() + ", got " + amount.plainString());
        }
        if (!kind.allowsSign(amount.amount().signum())) {
            throw new InvalidLedgerException("amount", "of a " + kind.wireName() + " entry must be "
                    + (kind == EntryKind.ADJUSTMENT ? "non-zero" : kind.allowsSign(1) ? "positive" : "negative")
                    + ", got " + amount.plainString());
        }
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(reason, "reason");
        requireText(source, "source");
        Objects.requireNonNull(invoiceId, "invoiceId");
        Objects.requireNonNull(reverses, "reverses");
        if (reverses.isPresent() != (kind == EntryKind.REVERSAL)) {
            throw new InvalidLedgerException("reverses", "must be given exactly for reversals");
        }
        if ((kind == EntryKind.DRAWDOWN || kind == EntryKind.REVERSAL) && invoiceId.isEmpty()) {
            throw new InvalidLedgerException("invoice", "must be given for a " + kind.wireName());
        }
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidLedgerException(field, "must not be blank");
        }
    }
}
