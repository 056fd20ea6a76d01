package dev.tally.engine.payment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The ledger's rules: derived state is a function of the facts, and admitted facts keep the amounts in bounds. */
class PaymentLedgerPropertiesTest {
    static final Currency USD = Currency.getInstance("USD");
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    record Attempt(FactKind kind, long cents, int minute) {
    }

    static PaymentFact fact(int n, Attempt a) {
        return new PaymentFact("pay_" + String.format("%04d", n), "t", "inv", a.kind(),
                BigDecimal.valueOf(a.cents(), 2), USD, "manual", "ref-" + n, "test", T0.plusSeconds(60L * a.minute()), T0);
    }

    @Provide
    Arbitrary<List<Attempt>> attempts() {
        Arbitrary<FactKind> kinds = Arbitraries.of(FactKind.SUCCEEDED, FactKind.SUCCEEDED, FactKind.SUCCEEDED,
                FactKind.FAILED, FactKind.FAILED, FactKind.PROCESSING, FactKind.REFUNDED, FactKind.REFUNDED,
                FactKind.DISPUTED);
        return Combinators.combine(kinds, Arbitraries.longs().between(1, 5_000), Arbitraries.integers().between(0, 30))
                .as(Attempt::new).list().ofMaxSize(20);
    }

    /** Feeds the attempts through admit in the given order, keeping the ones the ledger accepts. */
    static List<PaymentFact> admitted(BigDecimal total, List<Attempt> attempts) {
        List<PaymentFact> facts = new ArrayList<>();
        for (int i = 0; i < attempts.size(); i++) {
            PaymentFact f = fact(i, attempts.get(i));
            try {
                PaymentLedger.admit(PaymentLedger.summarize(USD, total, facts), f);
                facts.add(f);
            } catch (PaymentConflictException refused) {
                // refused facts are not recorded
            }
        }
        return facts;
    }

    @Property
    void statusAndAmountsAreAFunctionOfTheFactsWhateverTheirOrder(@ForAll("attempts") List<Attempt> attempts,
            @ForAll long seed) {
        BigDecimal total = new BigDecimal("100.00");
        List<PaymentFact> facts = admitted(total, attempts);
        PaymentSummary inOrder = PaymentLedger.summarize(USD, total, facts);
        List<PaymentFact> shuffled = new ArrayList<>(facts);
        Collections.shuffle(shuffled, new Random(seed));
        assertThat(PaymentLedger.summarize(USD, total, shuffled)).isEqualTo(inOrder);
    }

    @Property
    void admittedFactsNeverKeepMoreThanTheTotalNorRefundMoreThanWasPaid(@ForAll("attempts") List<Attempt> attempts,
            @ForAll("totals") BigDecimal total) {
        PaymentSummary s = PaymentLedger.summarize(USD, total, admitted(total, attempts));
        assertThat(s.netPaid()).isBetween(BigDecimal.ZERO, total);
        assertThat(s.amountRefunded()).isLessThanOrEqualTo(s.amountPaid());
        assertThat(s.amountRemaining()).isEqualByComparingTo(total.subtract(s.netPaid()));
        if (s.amountPaid().compareTo(total) > 0) {
            assertThat(s.amountRefunded()).as("paid above the total only after a refund").isPositive();
        }
        if (s.status() == PaymentStatus.SUCCEEDED) {
            assertThat(s.amountRemaining()).isZero();
        }
        if (s.amountRemaining().signum() > 0) {
            assertThat(s.status()).isNotEqualTo(PaymentStatus.SUCCEEDED);
        }
    }

    @Provide
    Arbitrary<BigDecimal> totals() {
        return Arbitraries.longs().between(1, 20_000).map(c -> BigDecimal.valueOf(c, 2));
    }

    @Example
    void aPartPaymentIsPendingWithTheRestDueAndTheRestMakesItSucceeded() {
        BigDecimal total = new BigDecimal("100.00");
        List<PaymentFact> facts = new ArrayList<>(List.of(fact(1, new Attempt(FactKind.SUCCEEDED, 4_000, 1))));
        PaymentSummary part = PaymentLedger.summarize(USD, total, facts);
        assertThat(part.status()).isEqualTo(PaymentStatus.PENDING);
        assertThat(part.amountRemaining()).isEqualByComparingTo("60.00");
        facts.add(fact(2, new Attempt(FactKind.SUCCEEDED, 6_000, 2)));
        assertThat(PaymentLedger.summarize(USD, total, facts).status()).isEqualTo(PaymentStatus.SUCCEEDED);
    }

    @Example
    void theLatestAttemptByItsOwnTimeDecidesAnUnpaidInvoice() {
        BigDecimal total = new BigDecimal("100.00");
        PaymentFact failedLater = fact(1, new Attempt(FactKind.FAILED, 10_000, 5));
        PaymentFact processingEarlier = fact(2, new Attempt(FactKind.PROCESSING, 10_000, 1));
        assertThat(PaymentLedger.summarize(USD, total, List.of(failedLater, processingEarlier)).status())
                .isEqualTo(PaymentStatus.FAILED);
    }

    @Example
    void refundsAndDisputesAreNewFactsThatMoveTheStatus() {
        BigDecimal total = new BigDecimal("100.00");
        List<PaymentFact> facts = new ArrayList<>(List.of(fact(1, new Attempt(FactKind.SUCCEEDED, 10_000, 1)),
                fact(2, new Attempt(FactKind.REFUNDED, 2_500, 2))));
        PaymentSummary partly = PaymentLedger.summarize(USD, total, facts);
        assertThat(partly.status()).isEqualTo(PaymentStatus.PARTIALLY_REFUNDED);
        assertThat(partly.amountRemaining()).isEqualByComparingTo("25.00");
        facts.add(fact(3, new Attempt(FactKind.REFUNDED, 7_500, 3)));
        assertThat(PaymentLedger.summarize(USD, total, facts).status()).isEqualTo(PaymentStatus.REFUNDED);
        facts.add(fact(4, new Attempt(FactKind.DISPUTED, 10_000, 4)));
        assertThat(PaymentLedger.summarize(USD, total, facts).status()).isEqualTo(PaymentStatus.DISPUTED);
    }

    @Example
    void refusesAPaymentAboveTheAmountDueAndARefundAboveWhatWasPaid() {
        BigDecimal total = new BigDecimal("100.00");
        PaymentSummary empty = PaymentLedger.summarize(USD, total, List.of());
        assertThat(empty.status()).isEqualTo(PaymentStatus.PENDING);
        assertThatThrownBy(() -> PaymentLedger.admit(empty, fact(1, new Attempt(FactKind.SUCCEEDED, 10_001, 1))))
                .isInstanceOf(PaymentConflictException.class).hasMessageContaining("exceeds the amount due");
        assertThatThrownBy(() -> PaymentLedger.admit(empty, fact(2, new Attempt(FactKind.REFUNDED, 1, 1))))
                .isInstanceOf(PaymentConflictException.class).hasMessageContaining("exceeds what is paid");
    }
}
