package dev.tally.engine.credit;

import dev.tally.core.ledger.CreditApplication;
import dev.tally.core.ledger.EntryKind;
import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.GrantBalance;
import dev.tally.core.ledger.InvoiceCredits;
import dev.tally.core.ledger.LedgerEntry;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The credit ledger of a Tally: customers' wallets (one per currency), grants and their immutable entries. Every
 * write runs in one transaction holding its wallet's lock, checks the new entries against the whole wallet
 * ({@link Wallet}: no grant below zero, a reversal gives back one drawdown once) before storing them, and joins the
 * caller's transaction when there is one (billing finalizes an invoice and draws its credits atomically). Automatic
 * entries (an invoice's drawdowns, the credit of a negative invoice, expiries, reversals) carry an idempotency key,
 * so each happens at most once, whichever process gets there.
 */
public final class Credits {
    private final CreditStore store;
    private final Clock clock;

    public Credits(dev.tally.engine.store.Database db, Clock clock) {
        this.store = new CreditStore(db);
        this.clock = clock;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    // ---- reading

    /** A customer's wallet in one currency (empty if there is none), as stored. */
    public Wallet wallet(String tenant, String customer, Currency currency) {
        return store.wallet(tenant, customer, currency);
    }

    /** Every wallet of a tenant as {customer, currency code}, by customer then currency. */
    public List<String[]> walletsOf(String tenant) {
        return store.walletsOf(tenant);
    }

    /** Every wallet of a customer, by currency code. */
    public List<Wallet> wallets(String tenant, String customer) {
        List<Wallet> out = new ArrayList<>();
        for (Currency c : store.currencies(tenant, customer)) {
            out.add(store.wallet(tenant, customer, c));
        }
        return out;
    }

    /** Up to {@code limit} entries of a wallet after sequence {@code after}, in sequence order. */
    public List<LedgerEntry> entries(String tenant, String customer, Currency currency, long after, int limit) {
        return store.entries(tenant, customer, currency, after, limit);
    }

    /** The entries an invoice made (drawdowns, the credit it carried) and those its void made, in wallet order. */
    public List<LedgerEntry> entriesOfInvoice(String tenant, String invoiceId) {
        return store.entriesOfInvoice(tenant, invoiceId);
    }

    // ---- grants and manual entries

    /** What a new grant is made of; the ledger gives it its id, its source and its creation time. */
    public record GrantRequest(Money amount, int priority, Optional<Instant> effectiveFrom, Optional<Instant> expiresAt,
            Set<String> charges, Funding funding, Optional<Money> price, String reason) {
    }

    /**
     * Grants credits to a customer (a wallet in the grant's currency is opened if needed): the grant and its
     * opening {@link EntryKind#GRANT} entry.
     *
     * @throws dev.tally.core.ledger.InvalidLedgerException if the grant is invalid
     */
    public Grant grant(String tenant, String customer, GrantRequest r, String source) {
        Instant now = now();
        Grant g = new Grant(id("gr_"), r.amount(), r.priority(), r.effectiveFrom().orElse(now), r.expiresAt(),
                r.charges(), r.funding(), r.price(), r.reason(), source, now);
        Currency currency = r.amount().currency();
        return inWallet(tenant, customer, currency, now, (c, w) -> {
            addGrant(c, tenant, customer, w, g, Optional.empty(), "grant:" + g.id(), now);
            return g;
        });
    }

    /**
     * Refunds a credit note to the customer's wallet instead of as money: a {@link Funding#CREDIT_NOTE} grant of its
     * total (no expiry, every charge), in the caller's transaction; at most once per credit note.
     */
    public Grant refundCreditNote(String tenant, String customer, String creditNoteId, String number, Money total) {
        Instant now = now();
        Grant g = new Grant(id("gr_"), total, Grant.DEFAULT_PRIORITY, now, Optional.empty(), Set.of(),
                Funding.CREDIT_NOTE, Optional.empty(), "Credit note " + number, "credit_note:" + creditNoteId, now);
        return inWallet(tenant, customer, total.currency(), now, (c, w) -> {
            addGrant(c, tenant, customer, w, g, Optional.empty(), "credit-note:" + creditNoteId, now);
            return g;
        });
    }

    /**
     * Voids what is left of a grant: one {@link EntryKind#VOID} entry of minus its balance, with the reason.
     *
     * @throws CreditNotFoundException if the customer has no such grant
     * @throws CreditConflictException if nothing is left of it
     */
    public LedgerEntry voidGrant(String tenant, String customer, String grantId, String reason, String source) {
        Instant now = now();
        return inGrantWallet(tenant, customer, grantId, now, (c, w) -> {
            Money left = w.balanceOf(grantId);
            if (left.amount().signum() <= 0) {
                throw new CreditConflictException("nothing is left of grant " + grantId + " to void");
            }
            return add(c, tenant, customer, w, entry(w, grantId, EntryKind.VOID, left.negate(), now, reason, source,
                    Optional.empty(), Optional.empty()), Optional.empty(), now).entry();
        });
    }

    /**
     * Adjusts a grant's balance by hand: one {@link EntryKind#ADJUSTMENT} entry of {@code amount} (non-zero), with
     * its reason; never below zero.
     *
     * @throws CreditNotFoundException if the customer has no such grant
     * @throws dev.tally.core.ledger.InvalidLedgerException if the amount is zero, not at the minor unit, or would
     *     take the grant below zero
     */
    public LedgerEntry adjust(String tenant, String customer, String grantId, java.math.BigDecimal amount, String reason,
            String source) {
        Instant now = now();
        return inGrantWallet(tenant, customer, grantId, now, (c, w) -> add(c, tenant, customer, w,
                entry(w, grantId, EntryKind.ADJUSTMENT, new Money(amount, w.currency()), now, reason, source,
                        Optional.empty(), Optional.empty()), Optional.empty(), now).entry());
    }

    /** Writes the expiry entries due at {@code at} in a customer's wallet; returns how many it wrote. */
    public int expire(String tenant, String customer, Currency currency, Instant at) {
        return inWallet(tenant, customer, currency, at, (c, w) -> {
            Wallet after = expired(c, tenant, customer, w, at);
            return after.entries().size() - w.entries().size();
        });
    }

    /**
     * Writes the expiry entries due at {@code at} in every wallet of a tenant with a grant expired by then and not
     * expired yet (billing runs call it); returns how many it wrote.
     */
    public int expireDue(String tenant, Instant at) {
        int n = 0;
        for (String[] wallet : store.walletsWithExpiredGrants(tenant, at)) {
            n += expire(tenant, wallet[0], Currency.getInstance(wallet[1]), at);
        }
        return n;
    }

    // ---- invoices

    /**
     * Applies credits to an invoice being finalized, at its finalization time, in the caller's transaction: first
     * the expiries due then, then {@link InvoiceCredits#apply} with the grants usable then; stores a
     * {@link EntryKind#DRAWDOWN} per grant that pays, or, for a negative total, an {@link Funding#INVOICE_CREDIT}
     * grant of minus the total (no expiry, every charge). Applying again to the same invoice changes nothing and
     * gives the same application.
     */
    public CreditApplication applyToInvoice(InvoiceToSettle inv) {
        Currency currency = inv.total().currency();
        return inWallet(inv.tenant(), inv.customer(), currency, inv.at(), (c, w0) -> {
            Wallet w = expired(c, inv.tenant(), inv.customer(), w0, inv.at());
            List<LedgerEntry> done = w.entries().stream()
                    .filter(e -> e.invoiceId().equals(Optional.of(inv.invoiceId()))).toList();
            if (!done.isEmpty()) {
                return applied(inv, w, done);
            }
            CreditApplication app = InvoiceCredits.apply(inv.total(), inv.chargeAmounts(), w.usableAt(inv.at()));
            String source = "invoice:" + inv.invoiceId();
            for (CreditApplication.Drawdown d : app.drawdowns()) {
                w = add(c, inv.tenant(), inv.customer(), w, entry(w, d.grant().id(), EntryKind.DRAWDOWN,
                        d.amount().negate(), inv.at(), "Invoice " + inv.number(), source, Optional.of(inv.invoiceId()),
                        Optional.empty()), Optional.of("drawdown:" + inv.invoiceId() + ":" + d.grant().id()), inv.at()).wallet();
            }
            if (app.toBalance().amount().signum() > 0) {
                Grant g = new Grant(id("gr_"), app.toBalance(), Grant.DEFAULT_PRIORITY, inv.at(), Optional.empty(),
                        Set.of(), Funding.INVOICE_CREDIT, Optional.empty(),
                        "Negative total of invoice " + inv.number(), source, inv.at());
                addGrant(c, inv.tenant(), inv.customer(), w, g, Optional.of(inv.invoiceId()),
                        "invoice-credit:" + inv.invoiceId(), inv.at());
            }
            return app;
        });
    }

    /**
     * Gives back what a voided invoice drew (a {@link EntryKind#REVERSAL} per drawdown) and voids the credit a
     * negative invoice carried to the balance, in the caller's transaction.
     *
     * @throws CreditConflictException if that credit was already used (in part) by later invoices: void those first
     */
    public void restoreVoidedInvoice(String tenant, String customer, Currency currency, String invoiceId, String number,
            Instant at) {
        inWallet(tenant, customer, currency, at, (c, w0) -> {
            Wallet w = w0;
            String source = "invoice:" + invoiceId;
            for (LedgerEntry d : w0.openDrawdownsOf(invoiceId)) {
                w = add(c, tenant, customer, w, entry(w, d.grantId(), EntryKind.REVERSAL, d.amount().negate(), at,
                        "Invoice " + number + " voided", source, Optional.of(invoiceId), Optional.of(d.id())),
                        Optional.of("reversal:" + d.id()), at).wallet();
            }
            for (LedgerEntry e : w0.entries()) {
                if (e.kind() != EntryKind.GRANT || !e.invoiceId().equals(Optional.of(invoiceId))) {
                    continue;
                }
                Money left = w.balanceOf(e.grantId());
                if (!left.equals(e.amount())) {
                    throw new CreditConflictException("the credit of " + e.amount() + " this invoice carried to the "
                            + "balance was used by later invoices (" + left + " left): void those first");
                }
                w = add(c, tenant, customer, w, entry(w, e.grantId(), EntryKind.VOID, left.negate(), at,
                        "Invoice " + number + " voided", source, Optional.of(invoiceId), Optional.empty()),
                        Optional.of("void:" + e.grantId()), at).wallet();
            }
            return null;
        });
    }

    // ---- internals (package-private: RecurringGrants writes in a wallet transaction too)

    @FunctionalInterface
    interface WalletWork<T> {
        T run(Connection c, Wallet w) throws SQLException;
    }

    <T> T inWallet(String tenant, String customer, Currency currency, Instant now, WalletWork<T> work) {
        return store.db().inTransaction(c -> {
            store.lockWallet(c, tenant, customer, currency, now);
            return work.run(c, store.wallet(tenant, customer, currency));
        });
    }

    private <T> T inGrantWallet(String tenant, String customer, String grantId, Instant now, WalletWork<T> work) {
        for (Currency currency : store.currencies(tenant, customer)) {
            Wallet w = store.wallet(tenant, customer, currency);
            if (w.grant(grantId).isPresent()) {
                return inWallet(tenant, customer, currency, now, work);
            }
        }
        throw new CreditNotFoundException("customer '" + customer + "' has no grant '" + grantId + "'");
    }

    Wallet expired(Connection c, String tenant, String customer, Wallet w, Instant at) throws SQLException {
        for (GrantBalance gb : w.expiredAt(at)) {
            Grant g = gb.grant();
            w = add(c, tenant, customer, w, entry(w, g.id(), EntryKind.EXPIRY, gb.balance().negate(),
                    g.expiresAt().orElseThrow(), "Expired", "expiry", Optional.empty(), Optional.empty()),
                    Optional.of("expiry:" + g.id() + ":" + w.nextSequence()), at).wallet();
        }
        return w;
    }

    static LedgerEntry entry(Wallet w, String grantId, EntryKind kind, Money amount, Instant at, String reason,
            String source, Optional<String> invoiceId, Optional<String> reverses) {
        return new LedgerEntry(id("ce_"), w.nextSequence(), grantId, kind, amount, at, reason, source, invoiceId, reverses);
    }

    record Added(Wallet wallet, LedgerEntry entry) {
    }

    /** Checks the entry against the wallet, then stores it (unless its idempotency key exists: nothing changes). */
    Added add(Connection c, String tenant, String customer, Wallet w, LedgerEntry e, Optional<String> key,
            Instant now) throws SQLException {
        Wallet after = w.plus(e);
        if (!store.insertEntry(c, tenant, customer, e, key.orElse("entry:" + e.id()), now)) {
            throw new CreditConflictException("the entry " + key.orElse(e.id()) + " exists (written concurrently)");
        }
        return new Added(after, e);
    }

    Wallet addGrant(Connection c, String tenant, String customer, Wallet w, Grant g, Optional<String> invoiceId,
            String key, Instant now) throws SQLException {
        LedgerEntry opening = new LedgerEntry(id("ce_"), w.nextSequence(), g.id(), EntryKind.GRANT, g.amount(),
                g.createdAt(), g.reason(), g.source(), invoiceId, Optional.empty());
        Wallet after = w.plus(g, opening);
        store.insertGrant(c, tenant, customer, g);
        if (!store.insertEntry(c, tenant, customer, opening, key, now)) {
            throw new CreditConflictException("the entry " + key + " exists (written concurrently)");
        }
        return after;
    }

    /** The application an invoice already made, rebuilt from its entries. */
    private static CreditApplication applied(InvoiceToSettle inv, Wallet w, List<LedgerEntry> done) {
        Currency currency = inv.total().currency();
        List<CreditApplication.Drawdown> drawdowns = new ArrayList<>();
        Money toBalance = Money.zero(currency);
        for (LedgerEntry e : done) {
            if (e.kind() == EntryKind.DRAWDOWN) {
                drawdowns.add(new CreditApplication.Drawdown(w.grant(e.grantId()).orElseThrow(), e.amount().negate()));
            } else if (e.kind() == EntryKind.GRANT) {
                toBalance = toBalance.plus(e.amount());
            }
        }
        Money applied = Money.sum(currency, drawdowns.stream().map(CreditApplication.Drawdown::amount).toList());
        return new CreditApplication(inv.total(), drawdowns, toBalance, inv.total().minus(applied).plus(toBalance));
    }
}
