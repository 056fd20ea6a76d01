package dev.tally.engine.payment;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Comparator;
import java.util.Currency;
import java.util.Optional;

/**
 * The pure rules of the payment ledger (no I/O). {@link #summarize} derives the status and amounts from the facts,
 * whatever order they are given in: amounts are sums, and the only order that matters, the latest attempt, is by
 * the facts' own time (then id). Precedence: a dispute makes the invoice {@code disputed}; else paid-and-kept
 * reaching the amount to collect is {@code succeeded} (so is an invoice with nothing to collect); else any refund makes it {@code refunded} (nothing kept) or
 * {@code partially_refunded}; else the latest attempt decides ({@code failed}, {@code processing}, or
 * {@code pending}, which is also the state of a partly paid invoice). {@link #admit} refuses a fact that would make
 * the paid-and-kept amount exceed the total or a refund exceed what was paid.
 */
public final class PaymentLedger {
    private static final Comparator<PaymentFact> BY_TIME =
            Comparator.comparing(PaymentFact::occurredAt).thenComparing(PaymentFact::id);

    private PaymentLedger() {
    }

    public static PaymentSummary summarize(Currency currency, BigDecimal total, Collection<PaymentFact> facts) {
        BigDecimal zero = BigDecimal.ZERO.setScale(currency.getDefaultFractionDigits());
        BigDecimal paid = zero;
        BigDecimal refunded = zero;
        boolean disputed = false;
        for (PaymentFact f : facts) {
            switch (f.kind()) {
                case SUCCEEDED -> paid = paid.add(f.amount());
                case REFUNDED -> refunded = refunded.add(f.amount());
                case DISPUTED -> disputed = true;
                default -> {
                }
            }
        }
        BigDecimal net = paid.subtract(refunded);
        PaymentStatus status;
        if (disputed) {
            status = PaymentStatus.DISPUTED;
        } else if (net.compareTo(total) >= 0 && (paid.signum() > 0 || total.signum() == 0)) {
            status = PaymentStatus.SUCCEEDED;
        } else if (refunded.signum() > 0) {
            status = net.signum() <= 0 ? PaymentStatus.REFUNDED : PaymentStatus.PARTIALLY_REFUNDED;
        } else {
            Optional<PaymentFact> latest = facts.stream().filter(f -> f.kind().isAttempt()).max(BY_TIME);
            status = latest.map(f -> switch (f.kind()) {
                case FAILED -> PaymentStatus.FAILED;
                case PROCESSING -> PaymentStatus.PROCESSING;
                default -> PaymentStatus.PENDING;
            }).orElse(PaymentStatus.PENDING);
        }
        BigDecimal due = total.subtract(net).max(zero);
        return new PaymentSummary(status, currency, total, paid, refunded, due, facts.size());
    }

    /** Throws {@link PaymentConflictException} when {@code fact} cannot join a ledger in state {@code before}. */
    public static void admit(PaymentSummary before, PaymentFact fact) {
        if (!fact.currency().equals(before.currency())) {
            throw new InvalidPaymentException("currency", "must be the invoice's currency, "
                    + before.currency().getCurrencyCode());
        }
        if (fact.kind() == FactKind.SUCCEEDED && before.netPaid().add(fact.amount()).compareTo(before.total()) > 0) {
            throw new PaymentConflictException("payment-exceeds-amount-due", "the payment of "
                    + fact.amount().toPlainString() + " exceeds the amount due, " + before.amountRemaining().toPlainString());
        }
        if (fact.kind() == FactKind.REFUNDED && fact.amount().compareTo(before.netPaid()) > 0) {
            throw new PaymentConflictException("refund-exceeds-amount-paid", "the refund of "
                    + fact.amount().toPlainString() + " exceeds what is paid and not refunded, "
                    + before.netPaid().toPlainString());
        }
    }
}
