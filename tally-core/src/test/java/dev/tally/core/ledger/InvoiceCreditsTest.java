package dev.tally.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Example tests of the credit arithmetic of one invoice and of a wallet's ledger rules. */
class InvoiceCreditsTest {
    static final Currency USD = Currency.getInstance("USD");
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    static Money usd(String s) {
        return new Money(new BigDecimal(s), USD);
    }

    static Grant grant(String id, String amount, int priority, Optional<Instant> expires, Set<String> charges,
            Instant created) {
        return new Grant(id, usd(amount), priority, T0, expires, charges, Funding.FREE, Optional.empty(), id, "test", created);
    }

    static GrantBalance full(Grant g) {
        return new GrantBalance(g, g.amount());
    }

    @Test
    void aNegativeTotalIsDueZeroAndCreditsTheBalance() {
        CreditApplication app = InvoiceCredits.apply(usd("-44.00"), Map.of(), List.of());

        assertThat(app.amountDue()).isEqualTo(usd("0"));
        assertThat(app.toBalance()).isEqualTo(usd("44.00"));
        assertThat(app.drawdowns()).isEmpty();
    }

    @Test
    void grantsPayInPriorityThenSoonestExpiryThenOldestOrder() {
        Grant late = grant("late", "10.00", 100, Optional.empty(), Set.of(), T0);
        Grant soon = grant("soon", "10.00", 100, Optional.of(Instant.parse("2026-12-01T00:00:00Z")), Set.of(), T0.plusSeconds(9));
        Grant first = grant("first", "10.00", 1, Optional.empty(), Set.of(), T0.plusSeconds(5));
        Grant older = grant("older", "10.00", 100, Optional.empty(), Set.of(), T0.minusSeconds(5));
        List<GrantBalance> usable = java.util.stream.Stream.of(late, soon, first, older).sorted(Grant.DRAWDOWN_ORDER)
                .map(InvoiceCreditsTest::full).toList();

        CreditApplication app = InvoiceCredits.apply(usd("35.00"), Map.of("tokens", usd("35.00")), usable);

        assertThat(app.drawdowns()).extracting(d -> d.grant().id() + " " + d.amount().plainString())
                .containsExactly("first 10.00", "soon 10.00", "older 10.00", "late 5.00");
        assertThat(app.amountDue()).isEqualTo(usd("0"));
    }

    @Test
    void aGrantForSomeChargesPaysAtMostTheirLinesBeforeTax() {
        Grant tokensOnly = grant("tokens-only", "100.00", 1, Optional.empty(), Set.of("tokens"), T0);

        // tokens 20.00, calls 30.00, 10 % tax: total 55.00, of which the tokens grant pays 20.00
        CreditApplication app = InvoiceCredits.apply(usd("55.00"), Map.of("tokens", usd("20.00"), "calls", usd("30.00")),
                List.of(full(tokensOnly)));

        assertThat(app.creditsApplied()).isEqualTo(usd("20.00"));
        assertThat(app.amountDue()).isEqualTo(usd("35.00"));
    }

    @Test
    void aWalletRefusesAnEntryThatWouldTakeAGrantBelowZeroAndASecondReversal() {
        Grant g = grant("g", "10.00", 1, Optional.empty(), Set.of(), T0);
        Wallet w = Wallet.empty(USD).plus(g, new LedgerEntry("e1", 1, "g", EntryKind.GRANT, usd("10.00"), T0, "", "test",
                Optional.empty(), Optional.empty()));
        Wallet drawn = w.plus(new LedgerEntry("e2", 2, "g", EntryKind.DRAWDOWN, usd("-8.00"), T0, "", "test",
                Optional.of("inv"), Optional.empty()));
        LedgerEntry tooMuch = new LedgerEntry("e3", 3, "g", EntryKind.DRAWDOWN, usd("-2.01"), T0, "", "test",
                Optional.of("inv2"), Optional.empty());
        LedgerEntry reversal = new LedgerEntry("e3", 3, "g", EntryKind.REVERSAL, usd("8.00"), T0, "", "test",
                Optional.of("inv"), Optional.of("e2"));

        assertThatThrownBy(() -> drawn.plus(tooMuch)).isInstanceOf(InvalidLedgerException.class).hasMessageContaining("below zero");
        Wallet restored = drawn.plus(reversal);
        assertThat(restored.balance()).isEqualTo(usd("10.00"));
        assertThatThrownBy(() -> restored.plus(new LedgerEntry("e4", 4, "g", EntryKind.REVERSAL, usd("8.00"), T0, "",
                "test", Optional.of("inv"), Optional.of("e2")))).isInstanceOf(InvalidLedgerException.class)
                .hasMessageContaining("already reversed");
    }

    @Test
    void theLiveBalanceDrawsTheEstimatesInOrderWithoutChangingTheLedger() {
        Grant g = grant("g", "50.00", 1, Optional.empty(), Set.of(), T0);
        Wallet w = Wallet.empty(USD).plus(g, new LedgerEntry("e1", 1, "g", EntryKind.GRANT, usd("50.00"), T0, "", "test",
                Optional.empty(), Optional.empty()));

        assertThat(w.liveBalance(T0, List.of(new InvoiceCredits.Estimate(usd("20.00"), Map.of()),
                new InvoiceCredits.Estimate(usd("-5.00"), Map.of()), new InvoiceCredits.Estimate(usd("45.00"), Map.of()))))
                .isEqualTo(usd("0.00"));
        assertThat(w.liveBalance(T0, List.of(new InvoiceCredits.Estimate(usd("20.00"), Map.of())))).isEqualTo(usd("30.00"));
        assertThat(w.balance()).isEqualTo(usd("50.00"));
    }

    @Test
    void anEntrysSignMustFitItsKind() {
        assertThatThrownBy(() -> new LedgerEntry("e", 1, "g", EntryKind.DRAWDOWN, usd("5.00"), T0, "", "test",
                Optional.of("inv"), Optional.empty())).isInstanceOf(InvalidLedgerException.class);
        assertThatThrownBy(() -> new LedgerEntry("e", 1, "g", EntryKind.ADJUSTMENT, usd("0.00"), T0, "", "test",
                Optional.empty(), Optional.empty())).isInstanceOf(InvalidLedgerException.class);
    }
}
