package dev.tally.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Rollover at a boundary, over random balances of earlier grants and caps: each loss is between zero and its grant's
 * balance, exactly min(total, cap) is kept (none keeps nothing, all keeps everything), losses plus what is kept
 * equal the total to the cent, and the excess is taken from the oldest grant first.
 */
class RolloverPropertiesTest {
    static final Currency USD = Currency.getInstance("USD");

    static Money cents(long c) {
        return new Money(BigDecimal.valueOf(c, 2), USD);
    }

    @Provide
    Arbitrary<List<Long>> balances() {
        return Arbitraries.longs().between(0, 1_000_000).list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<Rollover> rollovers() {
        return Arbitraries.oneOf(Arbitraries.just(new Rollover.None()), Arbitraries.just(new Rollover.All()),
                Arbitraries.longs().between(0, 3_000_000).map(c -> new Rollover.UpTo(cents(c))));
    }

    @Property(tries = 500)
    void keepsExactlyWhatTheRuleAllowsAndLosesTheRestOldestFirst(@ForAll("balances") List<Long> cents,
            @ForAll("rollovers") Rollover rule) {
        List<Money> balances = cents.stream().map(RolloverPropertiesTest::cents).toList();
        Money total = Money.sum(USD, balances);
        List<Money> losses = rule.expiring(USD, balances);
        assertThat(losses).hasSameSizeAs(balances);
        Money lost = Money.sum(USD, losses);
        Money kept = total.minus(lost);
        Money expected = switch (rule) {
            case Rollover.None n -> Money.zero(USD);
            case Rollover.All a -> total;
            case Rollover.UpTo u -> total.compareTo(u.cap()) <= 0 ? total : u.cap();
        };
        assertThat(kept).isEqualTo(expected);
        boolean sawPartial = false;
        for (int i = 0; i < balances.size(); i++) {
            Money loss = losses.get(i);
            assertThat(loss.isNegative()).isFalse();
            assertThat(loss.compareTo(balances.get(i))).isLessThanOrEqualTo(0);
            assertThat(loss.isRounded()).isTrue();
            // oldest first: once a grant keeps something, every later grant keeps all it has
            if (sawPartial) {
                assertThat(loss.isZero()).isTrue();
            }
            if (loss.compareTo(balances.get(i)) < 0) {
                sawPartial = true;
            }
        }
    }

    @Test
    void upToRefusesANegativeCapOrOneBelowTheMinorUnit() {
        assertThatThrownBy(() -> new Rollover.UpTo(cents(-1))).isInstanceOf(InvalidLedgerException.class);
        assertThatThrownBy(() -> new Rollover.UpTo(new Money(new BigDecimal("1.005"), USD)))
                .isInstanceOf(InvalidLedgerException.class);
    }

    @Test
    void workedExampleOfTheDocs() {
        // December's Monthly credits: 15.00 left, cap 10.00 → 5.00 expires; January: 0.00 and 25.00 left → 15.00
        Rollover rule = new Rollover.UpTo(cents(1000));
        assertThat(rule.expiring(USD, List.of(cents(1500)))).containsExactly(cents(500));
        assertThat(rule.expiring(USD, List.of(cents(0), cents(2500)))).containsExactly(cents(0), cents(1500));
        assertThat(new Rollover.None().expiring(USD, List.of(cents(700), cents(300)))).containsExactly(cents(700), cents(300));
        assertThat(new Rollover.All().expiring(USD, List.of(cents(700)))).containsExactly(cents(0));
    }
}
