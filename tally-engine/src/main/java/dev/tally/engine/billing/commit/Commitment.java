package dev.tally.engine.billing.commit;

import dev.tally.core.billing.Period;
import dev.tally.core.commitment.TermEnd;
import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Grant;
import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One commitment on a subscription, never changed once made. A {@link Type#MINIMUM} commitment is a minimum spend of
 * {@code amount} per billing period, for the periods starting in {@code [startsAt, endsAt)} (no end: until the
 * subscription ends). A {@link Type#PREPAID} commitment is {@code amount} paid for the term {@code [startsAt, endsAt)},
 * invoiced up front on the invoice issued at {@code invoicedAt} (empty for a term rolled over from
 * {@code rolledFrom}, which is not invoiced again), drawn down by the charges of the term, the charges it cannot pay
 * billed at {@code overageRate} times list price, and what is left at the end handled by {@code atTermEnd}.
 *
 * A later minimum supersedes an earlier one from its own start (minimums are versions; one of 0.00 ends them).
 *
 * <p>Guarantees: an amount at its currency's minor unit, positive (a minimum may be 0.00); {@code endsAt} after
 * {@code startsAt} and present for a prepaid commitment; a rate of at least zero (1 for a minimum).
 */
public record Commitment(String id, String tenant, String subscription, String customer, Type type, String name,
        Money amount, Instant startsAt, Optional<Instant> endsAt, BigDecimal overageRate, TermEnd atTermEnd,
        Optional<Instant> invoicedAt, Optional<String> rolledFrom, String source, Instant createdAt) {

    /** What kind of commitment it is; {@link #wireName()} is the API spelling. */
    public enum Type {
        MINIMUM("minimum"),
        PREPAID("prepaid");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Optional<Type> fromWireName(String name) {
            return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
        }
    }

    /** Validates (see the type's guarantees). */
    public Commitment {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(subscription, "subscription");
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(amount, "amount");
        if (amount.amount().signum() < 0 || amount.amount().signum() == 0 && type == Type.PREPAID || !amount.isRounded()) {
            throw new IllegalArgumentException("a commitment's amount is at the minor unit, positive (zero for a "
                    + "minimum that ends an earlier one)");
        }
        Objects.requireNonNull(startsAt, "startsAt");
        Objects.requireNonNull(endsAt, "endsAt");
        if (endsAt.isPresent() && !endsAt.get().isAfter(startsAt) || type == Type.PREPAID && endsAt.isEmpty()) {
            throw new IllegalArgumentException("a commitment ends after it starts; a prepaid one has an end");
        }
        Objects.requireNonNull(overageRate, "overageRate");
        if (overageRate.signum() < 0) {
            throw new IllegalArgumentException("the overage rate is not negative");
        }
        Objects.requireNonNull(atTermEnd, "atTermEnd");
        Objects.requireNonNull(invoicedAt, "invoicedAt");
        Objects.requireNonNull(rolledFrom, "rolledFrom");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    /** Whether the commitment covers the billing period (or the line) starting at {@code periodStart}. */
    public boolean covers(Instant periodStart) {
        return !periodStart.isBefore(startsAt) && endsAt.map(periodStart::isBefore).orElse(true);
    }

    /** The term, {@code [startsAt, endsAt)}, or from {@code startsAt} on for a minimum without an end. */
    public Period term() {
        return new Period(startsAt, endsAt.orElse(Instant.MAX));
    }

    /**
     * The prepaid commitment as the single grant of its own ledger: its amount, paid at its amount (a rolled-over
     * term at 0.00: its money was paid with the term it comes from), usable from the start of the term, for every
     * charge; the end of the term is not a grant expiry, it is handled by {@link #atTermEnd()}.
     */
    Grant grant() {
        Money price = invoicedAt.isPresent() ? amount : Money.zero(amount.currency()).rounded();
        return new Grant(id, amount, Grant.DEFAULT_PRIORITY, startsAt, Optional.empty(), Set.of(), Funding.PAID,
                Optional.of(price), name, source, createdAt);
    }
}
