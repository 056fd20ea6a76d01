package dev.tally.core.commitment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.billing.Period;
import dev.tally.core.billing.Proration;
import dev.tally.core.ledger.EntryKind;
import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.InvalidLedgerException;
import dev.tally.core.ledger.LedgerEntry;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The arithmetic of commitments: a minimum's true-up makes the period due exactly max(charges, prorated minimum) and
 * is never negative; a prepaid commitment never pays more than is left nor more than the charges, pays all it can, its
 * overage is exactly the unpaid part repriced, and a run of invoices drawing it through the credit ledger's
 * {@link Wallet} never takes it below zero and leaves exactly the amount minus what was drawn.
 */
class CommitmentPropertiesTest {
    static final Currency USD = Currency.getInstance("USD");
    static final Currency JPY = Currency.getInstance("JPY");
    static final ZoneId UTC = ZoneOffset.UTC;
    static final Period NOVEMBER = new Period(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));

    static Money usd(String s) {
        return new Money(new BigDecimal(s), USD);
    }

    @Provide
    Arbitrary<Money> amounts() {
        return Arbitraries.longs().between(-1_000_000L, 100_000_000L).map(c -> new Money(BigDecimal.valueOf(c, 2), USD));
    }

    @Provide
    Arbitrary<Money> nonNegative() {
        return Arbitraries.longs().between(0L, 100_000_000L).map(c -> new Money(BigDecimal.valueOf(c, 2), USD));
    }

    @Provide
    Arbitrary<List<Money>> invoiceLists() {
        return amounts().list().ofMaxSize(15);
    }

    @Provide
    Arbitrary<BigDecimal> rates() {
        return Arbitraries.integers().between(0, 300).map(p -> BigDecimal.valueOf(p, 2));
    }

    @Property(tries = 2000)
    void theTrueUpMakesThePeriodDueExactlyTheGreaterOfChargesAndMinimumAndIsNeverNegative(
            @ForAll("amounts") Money charges, @ForAll("nonNegative") Money full, @ForAll @IntRange(min = 1, max = 30) int days) {
        Period billed = new Period(NOVEMBER.start(), NOVEMBER.start().plusSeconds(86_400L * days));
        Money minimum = MinimumTrueUp.prorated(full.amount(), billed, NOVEMBER, UTC, USD);
        MinimumTrueUp t = MinimumTrueUp.of(charges, minimum);

        Money due = charges.plus(t.trueUp());
        assertThat(t.trueUp().isNegative()).isFalse();
        assertThat(due).isEqualTo(charges.compareTo(minimum) >= 0 ? charges : minimum);
        assertThat(t.trueUp().isZero()).isEqualTo(charges.compareTo(minimum) >= 0);
        // pro rata: days/30 of the full minimum, rounded once
        assertThat(minimum).isEqualTo(new Money(full.amount().multiply(BigDecimal.valueOf(days))
                .divide(BigDecimal.valueOf(30), 30, java.math.RoundingMode.HALF_EVEN), USD).rounded());
        assertThat(minimum.compareTo(full)).isLessThanOrEqualTo(0);
    }

    @Property(tries = 1000)
    void theProratedMinimumsOfTheTwoPartsOfASplitPeriodDifferFromTheWholeByAtMostACent(
            @ForAll("nonNegative") Money full, @ForAll @IntRange(min = 1, max = 29) int split) {
        Instant at = NOVEMBER.start().plusSeconds(86_400L * split);
        Money first = MinimumTrueUp.prorated(full.amount(), new Period(NOVEMBER.start(), at), NOVEMBER, UTC, USD);
        Money second = MinimumTrueUp.prorated(full.amount(), new Period(at, NOVEMBER.end()), NOVEMBER, UTC, USD);
        assertThat(first.plus(second).minus(full).amount().abs()).isLessThanOrEqualTo(new BigDecimal("0.01"));
        assertThat(Proration.days(new Period(NOVEMBER.start(), at), UTC)).isEqualTo(split);
    }

    @Property(tries = 2000)
    void aDrawdownNeverExceedsWhatIsLeftNorTheChargesAndPaysAllItCan(@ForAll("nonNegative") Money remaining,
            @ForAll("amounts") Money eligible, @ForAll("rates") BigDecimal rate) {
        PrepaidDrawdown d = PrepaidDrawdown.draw(remaining, eligible, rate);
        Money payable = eligible.isNegative() ? Money.zero(USD) : eligible;

        assertThat(d.drawn().isNegative()).isFalse();
        assertThat(d.drawn().compareTo(remaining)).isLessThanOrEqualTo(0);
        assertThat(d.drawn().compareTo(payable)).isLessThanOrEqualTo(0);
        assertThat(d.remainingAfter().isNegative()).isFalse();
        assertThat(d.remainingAfter().plus(d.drawn())).isEqualTo(remaining);
        // all it can: either the charges are paid in full or nothing is left
        assertThat(d.drawn().equals(payable) || d.remainingAfter().isZero()).isTrue();
        // overage only on what was not paid, at (rate - 1)
        Money unpaid = payable.minus(d.drawn());
        assertThat(d.overage()).isEqualTo(unpaid.times(rate.subtract(BigDecimal.ONE)).rounded());
        assertThat(d.billed()).isEqualTo(eligible.minus(d.drawn()).plus(d.overage()));
        if (rate.compareTo(BigDecimal.ONE) == 0) {
            assertThat(d.overage().isZero()).isTrue();
        }
    }

    @Property(tries = 500)
    void invoicesDrawingACommitmentThroughItsLedgerNeverTakeItBelowZeroAndLeaveTheAmountMinusTheDrawdowns(
            @ForAll("nonNegative") Money amountIn, @ForAll("invoiceLists") List<Money> invoices,
            @ForAll("rates") BigDecimal rate) {
        Money amount = amountIn.isZero() ? usd("0.01") : amountIn;
        Instant t0 = NOVEMBER.start();
        Grant g = new Grant("cm_1", amount, Grant.DEFAULT_PRIORITY, t0, Optional.empty(), Set.of(), Funding.PAID,
                Optional.of(amount), "Prepaid", "test", t0);
        Wallet w = Wallet.empty(USD).plus(g, new LedgerEntry("e1", 1, g.id(), EntryKind.GRANT, amount, t0, "Prepaid",
                "test", Optional.empty(), Optional.empty()));
        Money drawn = Money.zero(USD);
        Money billedBeyond = Money.zero(USD);
        int i = 0;
        for (Money eligible : invoices) {
            PrepaidDrawdown d = PrepaidDrawdown.draw(w.balanceOf(g.id()), eligible, rate);
            i++;
            if (d.drawn().amount().signum() > 0) {
                w = w.plus(new LedgerEntry("d" + i, w.nextSequence(), g.id(), EntryKind.DRAWDOWN, d.drawn().negate(),
                        t0.plusSeconds(i), "Invoice " + i, "invoice:" + i, Optional.of("inv" + i), Optional.empty()));
            }
            drawn = drawn.plus(d.drawn());
            billedBeyond = billedBeyond.plus(d.billed());
            assertThat(w.balanceOf(g.id()).isNegative()).isFalse();
        }
        assertThat(w.balance()).isEqualTo(amount.minus(drawn));
        assertThat(drawn.compareTo(amount)).isLessThanOrEqualTo(0);
        Money total = Money.sum(USD, invoices);
        if (rate.compareTo(BigDecimal.ONE) == 0) {
            // at list price, the customer pays exactly the charges the commitment did not
            assertThat(billedBeyond.plus(drawn)).isEqualTo(total);
        }
    }

    @Example
    void aLedgerRefusesADrawdownBeyondWhatIsLeft() {
        Instant t0 = NOVEMBER.start();
        Grant g = new Grant("cm_1", usd("10.00"), Grant.DEFAULT_PRIORITY, t0, Optional.empty(), Set.of(), Funding.PAID,
                Optional.of(usd("10.00")), "Prepaid", "test", t0);
        Wallet w = Wallet.empty(USD).plus(g, new LedgerEntry("e1", 1, g.id(), EntryKind.GRANT, usd("10.00"), t0,
                "Prepaid", "test", Optional.empty(), Optional.empty()));
        assertThatThrownBy(() -> w.plus(new LedgerEntry("d", 2, g.id(), EntryKind.DRAWDOWN, usd("-10.01"), t0, "x",
                "invoice:x", Optional.of("x"), Optional.empty()))).isInstanceOf(InvalidLedgerException.class);
    }

    @Example
    void aPartialPeriodsMinimumIsProratedByDayAndRoundedOnce() {
        // 500.00 minimum, subscription from Nov 10: 21 of 30 days = 350.00; charges 320.00 -> true-up 30.00
        Period billed = new Period(Instant.parse("2026-11-10T00:00:00Z"), NOVEMBER.end());
        Money minimum = MinimumTrueUp.prorated(new BigDecimal("500.00"), billed, NOVEMBER, UTC, USD);
        assertThat(minimum).isEqualTo(usd("350.00"));
        assertThat(MinimumTrueUp.of(usd("320.00"), minimum).trueUp()).isEqualTo(usd("30.00"));
        // 100.00 over 7 of 30 days = 23.333... -> 23.33
        Period week = new Period(NOVEMBER.start(), Instant.parse("2026-11-08T00:00:00Z"));
        assertThat(MinimumTrueUp.prorated(new BigDecimal("100.00"), week, NOVEMBER, UTC, USD)).isEqualTo(usd("23.33"));
        assertThat(MinimumTrueUp.prorated(new BigDecimal("1000"), week, NOVEMBER, UTC, JPY))
                .isEqualTo(new Money(new BigDecimal("233"), JPY));
    }

    @Example
    void overageAtARateAboveOrBelowListPriceRepricesOnlyTheUnpaidPart() {
        PrepaidDrawdown up = PrepaidDrawdown.draw(usd("100.00"), usd("250.00"), new BigDecimal("1.2"));
        assertThat(up.drawn()).isEqualTo(usd("100.00"));
        assertThat(up.overage()).isEqualTo(usd("30.00"));
        assertThat(up.billed()).isEqualTo(usd("180.00"));
        PrepaidDrawdown down = PrepaidDrawdown.draw(usd("0"), usd("33.33"), new BigDecimal("0.9"));
        assertThat(down.overage()).isEqualTo(usd("-3.33"));
        PrepaidDrawdown negative = PrepaidDrawdown.draw(usd("50.00"), usd("-5.00"), new BigDecimal("1.5"));
        assertThat(negative.drawn().isZero()).isTrue();
        assertThat(negative.overage().isZero()).isTrue();
    }

    @Example
    void refusesANegativeRateAndAmountsInTwoCurrencies() {
        assertThatThrownBy(() -> PrepaidDrawdown.draw(usd("1.00"), usd("1.00"), new BigDecimal("-0.1")))
                .isInstanceOf(InvalidCommitmentException.class).hasMessageContaining("overage_rate");
        assertThatThrownBy(() -> MinimumTrueUp.of(usd("1.00"), new Money(BigDecimal.ONE, JPY)))
                .isInstanceOf(InvalidCommitmentException.class);
        assertThatThrownBy(() -> new MinimumTrueUp(usd("10.00"), usd("4.00"), usd("5.00")))
                .isInstanceOf(InvalidCommitmentException.class);
    }
}
