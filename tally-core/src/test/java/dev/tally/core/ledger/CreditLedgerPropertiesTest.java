package dev.tally.core.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Invariants of the credit ledger, over random histories of grants, invoices (positive and negative totals, some of
 * them voided later), manual adjustments and expiries: the balance is the sum of the entries, no grant ever goes
 * below zero, drawdowns never exceed what is there and follow priority then expiry, amount due + credits applied -
 * credit to balance = the total before credits, and a void restores exactly what the invoice drew.
 */
class CreditLedgerPropertiesTest {
    static final Currency USD = Currency.getInstance("USD");
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    static final List<String> CHARGES = List.of("tokens", "calls", "storage");

    sealed interface Op permits GrantOp, InvoiceOp, VoidOp, AdjustOp {
    }

    record GrantOp(long cents, int priority, int effectiveAfterDays, Optional<Integer> expiresAfterDays,
            Set<String> charges) implements Op {
    }

    /** An invoice: the cents of each charge's lines (may be negative: a correction) and the tax in percent. */
    record InvoiceOp(Map<String, Long> chargeCents, int taxPercent) implements Op {
    }

    /** Voids the n-th invoice so far (modulo their number). */
    record VoidOp(int which) implements Op {
    }

    /** Adjusts the n-th grant (modulo their number) by a number of cents (never below zero). */
    record AdjustOp(int which, long cents) implements Op {
    }

    /** The model: the wallet and what each invoice did. */
    static final class History {
        Wallet wallet = Wallet.empty(USD);
        Instant now = T0;
        int ids;
        final List<String> invoices = new ArrayList<>();
        final Map<String, Boolean> voided = new HashMap<>();

        String id(String prefix) {
            return prefix + ++ids;
        }

        LedgerEntry entry(String grant, EntryKind kind, Money amount, Optional<String> invoice, Optional<String> reverses) {
            return new LedgerEntry(id("ce_"), wallet.nextSequence(), grant, kind, amount, now, "", "test", invoice, reverses);
        }

        void grant(Grant g, Optional<String> invoice) {
            wallet = wallet.plus(g, new LedgerEntry(id("ce_"), wallet.nextSequence(), g.id(), EntryKind.GRANT, g.amount(),
                    now, g.reason(), g.source(), invoice, Optional.empty()));
        }

        void expire() {
            for (GrantBalance gb : wallet.expiredAt(now)) {
                wallet = wallet.plus(entry(gb.grant().id(), EntryKind.EXPIRY, gb.balance().negate(), Optional.empty(),
                        Optional.empty()));
            }
        }
    }

    static Money usd(long cents) {
        return new Money(BigDecimal.valueOf(cents, 2), USD);
    }

    @Property(tries = 400)
    void everyHistoryKeepsTheLedgerInvariants(@ForAll("histories") List<Op> ops) {
        History h = new History();
        for (Op op : ops) {
            h.now = h.now.plus(Duration.ofDays(3));
            h.expire();
            switch (op) {
                case GrantOp g -> h.grant(new Grant(h.id("gr_"), usd(g.cents()), g.priority(),
                        h.now.plus(Duration.ofDays(g.effectiveAfterDays())),
                        g.expiresAfterDays().map(d -> h.now.plus(Duration.ofDays(g.effectiveAfterDays() + d))),
                        g.charges(), Funding.FREE, Optional.empty(), "promo", "test", h.now), Optional.empty());
                case InvoiceOp i -> invoice(h, i);
                case VoidOp v -> {
                    if (!h.invoices.isEmpty()) {
                        voidInvoice(h, h.invoices.get(v.which() % h.invoices.size()));
                    }
                }
                case AdjustOp a -> {
                    if (!h.wallet.grants().isEmpty()) {
                        Grant g = h.wallet.grants().get(a.which() % h.wallet.grants().size());
                        Money amount = usd(a.cents());
                        if (h.wallet.balanceOf(g.id()).plus(amount).isNegative()) {
                            LedgerEntry below = h.entry(g.id(), EntryKind.ADJUSTMENT, amount, Optional.empty(), Optional.empty());
                            assertThatThrownBy(() -> h.wallet.plus(below)).isInstanceOf(InvalidLedgerException.class);
                        } else {
                            h.wallet = h.wallet.plus(h.entry(g.id(), EntryKind.ADJUSTMENT, amount, Optional.empty(),
                                    Optional.empty()));
                        }
                    }
                }
            }
            assertInvariants(h.wallet);
        }
    }

    static void invoice(History h, InvoiceOp op) {
        String id = h.id("inv_");
        Map<String, Money> byCharge = new TreeMap<>();
        long subtotal = 0;
        for (Map.Entry<String, Long> e : op.chargeCents().entrySet()) {
            byCharge.put(e.getKey(), usd(e.getValue()));
            subtotal += e.getValue();
        }
        Money total = usd(subtotal).plus(usd(subtotal).times(BigDecimal.valueOf(op.taxPercent(), 2)).rounded());
        List<GrantBalance> usable = h.wallet.usableAt(h.now);
        CreditApplication app = InvoiceCredits.apply(total, byCharge, usable);

        // due + applied - credit to balance = total; nothing negative
        assertThat(app.amountDue().plus(app.creditsApplied()).minus(app.toBalance())).isEqualTo(total);
        assertThat(app.amountDue().isNegative()).isFalse();
        assertThat(app.toBalance().isNegative()).isFalse();
        // each drawdown at most what its grant had, in drawdown order, never more than the total
        Map<String, Money> before = new HashMap<>();
        usable.forEach(gb -> before.put(gb.grant().id(), gb.balance()));
        List<String> order = usable.stream().map(gb -> gb.grant().id()).toList();
        int last = -1;
        for (CreditApplication.Drawdown d : app.drawdowns()) {
            assertThat(d.amount()).isLessThanOrEqualTo(before.get(d.grant().id()));
            int at = order.indexOf(d.grant().id());
            assertThat(at).as("drawdowns follow priority, then expiry").isGreaterThan(last);
            last = at;
        }
        // an earlier grant for every charge is used up before a later grant pays anything
        for (int i = 0; i < usable.size(); i++) {
            Grant g = usable.get(i).grant();
            Money drawn = app.drawdowns().stream().filter(d -> d.grant().id().equals(g.id()))
                    .map(CreditApplication.Drawdown::amount).findFirst().orElse(Money.zero(USD));
            boolean left = drawn.compareTo(usable.get(i).balance()) < 0;
            if (g.appliesToAllCharges() && left) {
                assertThat(app.amountDue().isZero()).as("grant " + g.id() + " had credits left").isTrue();
                for (int j = i + 1; j < usable.size(); j++) {
                    String later = usable.get(j).grant().id();
                    assertThat(app.drawdowns()).noneMatch(d -> d.grant().id().equals(later));
                }
            }
        }
        if (!total.isNegative()) {
            assertThat(app.creditsApplied()).isLessThanOrEqualTo(total);
        }

        for (CreditApplication.Drawdown d : app.drawdowns()) {
            h.wallet = h.wallet.plus(h.entry(d.grant().id(), EntryKind.DRAWDOWN, d.amount().negate(), Optional.of(id),
                    Optional.empty()));
        }
        if (app.toBalance().amount().signum() > 0) {
            h.grant(new Grant(h.id("gr_"), app.toBalance(), Grant.DEFAULT_PRIORITY, h.now, Optional.empty(), Set.of(),
                    Funding.INVOICE_CREDIT, Optional.empty(), "negative invoice", "invoice:" + id, h.now), Optional.of(id));
        }
        h.invoices.add(id);
    }

    static void voidInvoice(History h, String id) {
        if (h.voided.containsKey(id)) {
            return;
        }
        Map<String, Money> before = new HashMap<>();
        h.wallet.grants().forEach(g -> before.put(g.id(), h.wallet.balanceOf(g.id())));
        List<LedgerEntry> drawdowns = h.wallet.openDrawdownsOf(id);
        for (LedgerEntry d : drawdowns) {
            h.wallet = h.wallet.plus(h.entry(d.grantId(), EntryKind.REVERSAL, d.amount().negate(), Optional.of(id),
                    Optional.of(d.id())));
        }
        // the void restores exactly what the invoice drew, grant by grant, and a second reversal is refused
        for (Grant g : h.wallet.grants()) {
            Money drew = Money.sum(USD, drawdowns.stream().filter(d -> d.grantId().equals(g.id()))
                    .map(d -> d.amount().negate()).toList());
            assertThat(h.wallet.balanceOf(g.id())).isEqualTo(before.get(g.id()).plus(drew));
        }
        for (LedgerEntry d : drawdowns) {
            LedgerEntry again = h.entry(d.grantId(), EntryKind.REVERSAL, d.amount().negate(), Optional.of(id),
                    Optional.of(d.id()));
            assertThatThrownBy(() -> h.wallet.plus(again)).isInstanceOf(InvalidLedgerException.class);
        }
        assertThat(h.wallet.openDrawdownsOf(id)).isEmpty();
        h.voided.put(id, true);
    }

    static void assertInvariants(Wallet w) {
        Money sum = Money.sum(USD, w.entries().stream().map(LedgerEntry::amount).toList());
        assertThat(w.balance()).isEqualTo(sum);
        Money byGrant = Money.zero(USD);
        for (Grant g : w.grants()) {
            assertThat(w.balanceOf(g.id()).isNegative()).isFalse();
            byGrant = byGrant.plus(w.balanceOf(g.id()));
        }
        assertThat(byGrant).isEqualTo(sum);
        assertThat(w.balance().isNegative()).isFalse();
        // what is stored rebuilds the same wallet
        Wallet again = Wallet.of(USD, w.grants(), w.entries());
        assertThat(again.balance()).isEqualTo(w.balance());
        assertThat(again.entries()).isEqualTo(w.entries());
    }

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Op> grant = Combinators.combine(Arbitraries.longs().between(1, 20_000),
                Arbitraries.of(0, 1, 100, 100, 500), Arbitraries.of(0, 0, 5),
                Arbitraries.integers().between(1, 30).optional(0.5),
                Arbitraries.subsetOf(CHARGES).ofMaxSize(2)).as(GrantOp::new);
        Arbitrary<Op> invoice = Combinators.combine(
                Arbitraries.maps(Arbitraries.of(CHARGES), Arbitraries.longs().between(-15_000, 30_000)).ofMaxSize(3),
                Arbitraries.of(0, 10, 19)).as(InvoiceOp::new);
        Arbitrary<Op> voids = Arbitraries.integers().between(0, 20).map(VoidOp::new);
        Arbitrary<Op> adjust = Combinators.combine(Arbitraries.integers().between(0, 20),
                Arbitraries.longs().between(-5_000, 5_000).filter(c -> c != 0)).as(AdjustOp::new);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, grant), net.jqwik.api.Tuple.of(4, invoice),
                net.jqwik.api.Tuple.of(1, voids), net.jqwik.api.Tuple.of(1, adjust)).list().ofMaxSize(25);
    }
}
