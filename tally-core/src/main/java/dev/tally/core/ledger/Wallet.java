package dev.tally.core.ledger;

import dev.tally.core.money.Money;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One customer's credits in one currency: its grants and its ledger, the entries in sequence order (1, 2, ...). The
 * balance is the sum of the entries, and each grant's balance the sum of its own; nothing is stored besides the
 * entries. Immutable: {@link #plus(Grant, LedgerEntry)} and {@link #plus(LedgerEntry)} give a new wallet.
 *
 * <p>Guarantees, checked on construction and on every append: every entry is in the wallet's currency and belongs
 * to a known grant; a grant's first entry is its {@link EntryKind#GRANT} entry of exactly its amount, and it has no
 * other; no grant's balance is ever negative, after any entry; a {@link EntryKind#REVERSAL} gives back exactly one
 * earlier {@link EntryKind#DRAWDOWN} of the same grant and invoice, at most once; sequences are 1, 2, 3, ...
 */
public final class Wallet {
    private final Currency currency;
    private final Map<String, Grant> grants;
    private final List<LedgerEntry> entries;
    private final Map<String, Money> balances;
    private final Map<String, LedgerEntry> drawdowns;
    private final Set<String> reversed;

    private Wallet(Currency currency, Map<String, Grant> grants, List<LedgerEntry> entries,
            Map<String, Money> balances, Map<String, LedgerEntry> drawdowns, Set<String> reversed) {
        this.currency = currency;
        this.grants = grants;
        this.entries = entries;
        this.balances = balances;
        this.drawdowns = drawdowns;
        this.reversed = reversed;
    }

    /** An empty wallet. */
    public static Wallet empty(Currency currency) {
        Objects.requireNonNull(currency, "currency");
        Money.zero(currency);
        return new Wallet(currency, Map.of(), List.of(), Map.of(), Map.of(), Set.of());
    }

    /**
     * A wallet from what was stored: its grants and its entries in sequence order.
     *
     * @throws InvalidLedgerException if they break one of the type's guarantees
     */
    public static Wallet of(Currency currency, List<Grant> grants, List<LedgerEntry> entries) {
        Map<String, Grant> byId = new LinkedHashMap<>();
        for (Grant g : grants) {
            if (byId.put(g.id(), g) != null) {
                throw new InvalidLedgerException("grants", "have the id " + g.id() + " more than once");
            }
        }
        Builder b = new Builder(empty(currency));
        for (LedgerEntry e : entries) {
            if (e.kind() == EntryKind.GRANT) {
                Grant g = byId.get(e.grantId());
                if (g == null) {
                    throw new InvalidLedgerException("entries", "entry " + e.id() + " opens the unknown grant " + e.grantId());
                }
                b.addGrant(g, e);
            } else {
                b.addEntry(e);
            }
        }
        if (b.grants.size() != byId.size()) {
            throw new InvalidLedgerException("grants", "every grant must have its grant entry");
        }
        return b.build();
    }

    public Currency currency() {
        return currency;
    }

    /** The entries, in sequence order. */
    public List<LedgerEntry> entries() {
        return entries;
    }

    /** The grants, in the order they were granted. */
    public List<Grant> grants() {
        return List.copyOf(grants.values());
    }

    public Optional<Grant> grant(String id) {
        return Optional.ofNullable(grants.get(id));
    }

    /** The balance: exactly the sum of every entry. */
    public Money balance() {
        return Money.sum(currency, entries.stream().map(LedgerEntry::amount).toList());
    }

    /** What is left of one grant: the sum of its entries (zero for an unknown grant). */
    public Money balanceOf(String grantId) {
        return balances.getOrDefault(grantId, Money.zero(currency));
    }

    /** The sequence the next entry takes. */
    public long nextSequence() {
        return entries.size() + 1L;
    }

    /** The grants with something left that may be drawn at {@code at}, in {@link Grant#DRAWDOWN_ORDER}. */
    public List<GrantBalance> usableAt(Instant at) {
        return grants.values().stream().filter(g -> g.usableAt(at) && balanceOf(g.id()).amount().signum() > 0)
                .sorted(Grant.DRAWDOWN_ORDER).map(g -> new GrantBalance(g, balanceOf(g.id()))).toList();
    }

    /**
     * The live balance: what of the usable balance at {@code at} would be left if each estimated invoice (its total
     * before credits and its amounts per charge, in order) were finalized now, drawing by the same rules as a real
     * invoice ({@link InvoiceCredits}). A negative estimate adds nothing (its credit exists only once invoiced).
     */
    public Money liveBalance(Instant at, List<InvoiceCredits.Estimate> estimates) {
        List<GrantBalance> usable = new ArrayList<>(usableAt(at));
        for (InvoiceCredits.Estimate e : estimates) {
            if (!e.total().currency().equals(currency)) {
                continue;
            }
            CreditApplication app = InvoiceCredits.apply(e.total(), e.chargeAmounts(), usable);
            List<GrantBalance> left = new ArrayList<>();
            for (GrantBalance gb : usable) {
                Money drawn = app.drawdowns().stream().filter(d -> d.grant().id().equals(gb.grant().id()))
                        .map(CreditApplication.Drawdown::amount).findFirst().orElse(Money.zero(currency));
                Money rest = gb.balance().minus(drawn);
                if (rest.amount().signum() > 0) {
                    left.add(new GrantBalance(gb.grant(), rest));
                }
            }
            usable = left;
        }
        return Money.sum(currency, usable.stream().map(GrantBalance::balance).toList());
    }

    /** The grants expired at {@code at} with something left: what an expiry entry must take off each. */
    public List<GrantBalance> expiredAt(Instant at) {
        return grants.values().stream().filter(g -> g.expiresAt().filter(x -> !at.isBefore(x)).isPresent()
                        && balanceOf(g.id()).amount().signum() > 0)
                .sorted(Grant.DRAWDOWN_ORDER).map(g -> new GrantBalance(g, balanceOf(g.id()))).toList();
    }

    /** The drawdowns of an invoice that were not reversed yet, in sequence order. */
    public List<LedgerEntry> openDrawdownsOf(String invoiceId) {
        return entries.stream().filter(e -> e.kind() == EntryKind.DRAWDOWN && e.invoiceId().equals(Optional.of(invoiceId))
                && !reversed.contains(e.id())).toList();
    }

    /**
     * The wallet with a new grant and its opening entry.
     *
     * @throws InvalidLedgerException if the grant exists, is in another currency, or the entry is not its opening
     */
    public Wallet plus(Grant grant, LedgerEntry opening) {
        Builder b = new Builder(this);
        b.addGrant(grant, opening);
        return b.build();
    }

    /**
     * The wallet with one more entry on an existing grant (not a grant entry: see {@link #plus(Grant, LedgerEntry)}).
     *
     * @throws InvalidLedgerException if the entry would break one of the type's guarantees
     */
    public Wallet plus(LedgerEntry entry) {
        Builder b = new Builder(this);
        b.addEntry(entry);
        return b.build();
    }

    /** Mutable copies of a wallet's state, checked entry by entry; built once. */
    private static final class Builder {
        final Currency currency;
        final Map<String, Grant> grants;
        final List<LedgerEntry> entries;
        final Map<String, Money> balances;
        final Map<String, LedgerEntry> drawdowns;
        final Set<String> reversed;

        Builder(Wallet w) {
            currency = w.currency;
            grants = new LinkedHashMap<>(w.grants);
            entries = new ArrayList<>(w.entries);
            balances = new HashMap<>(w.balances);
            drawdowns = new HashMap<>(w.drawdowns);
            reversed = new HashSet<>(w.reversed);
        }

        void addGrant(Grant grant, LedgerEntry opening) {
            Objects.requireNonNull(grant, "grant");
            Objects.requireNonNull(opening, "opening");
            if (grants.containsKey(grant.id())) {
                throw new InvalidLedgerException("grant", grant.id() + " exists");
            }
            if (!grant.amount().currency().equals(currency)) {
                throw new InvalidLedgerException("currency", "of grant " + grant.id() + " is not the wallet's " + currency);
            }
            if (opening.kind() != EntryKind.GRANT || !opening.grantId().equals(grant.id())
                    || !opening.amount().equals(grant.amount())) {
                throw new InvalidLedgerException("entries", "a grant opens with one grant entry of exactly its amount");
            }
            grants.put(grant.id(), grant);
            append(opening);
        }

        void addEntry(LedgerEntry entry) {
            Objects.requireNonNull(entry, "entry");
            if (!grants.containsKey(entry.grantId())) {
                throw new InvalidLedgerException("grant", "no grant " + entry.grantId() + " in this wallet");
            }
            if (entry.kind() == EntryKind.GRANT) {
                throw new InvalidLedgerException("kind", "grant " + entry.grantId() + " already has its grant entry");
            }
            if (entry.kind() == EntryKind.REVERSAL) {
                LedgerEntry d = drawdowns.get(entry.reverses().orElseThrow());
                if (d == null || !d.grantId().equals(entry.grantId()) || !d.invoiceId().equals(entry.invoiceId())
                        || !d.amount().negate().equals(entry.amount())) {
                    throw new InvalidLedgerException("reverses", "must name a drawdown of the same grant and invoice, "
                            + "given back in full");
                }
                if (reversed.contains(d.id())) {
                    throw new InvalidLedgerException("reverses", "drawdown " + d.id() + " was already reversed");
                }
            }
            append(entry);
        }

        private void append(LedgerEntry e) {
            if (!e.amount().currency().equals(currency)) {
                throw new InvalidLedgerException("currency", "of entry " + e.id() + " is not the wallet's " + currency);
            }
            if (e.sequence() != entries.size() + 1L) {
                throw new InvalidLedgerException("sequence", "must be " + (entries.size() + 1L) + ", got " + e.sequence());
            }
            Money after = balances.getOrDefault(e.grantId(), Money.zero(currency)).plus(e.amount());
            if (after.isNegative()) {
                throw new InvalidLedgerException("amount", "would take grant " + e.grantId() + " below zero ("
                        + balances.getOrDefault(e.grantId(), Money.zero(currency)) + " left, entry " + e.amount() + ")");
            }
            entries.add(e);
            balances.put(e.grantId(), after);
            if (e.kind() == EntryKind.DRAWDOWN) {
                drawdowns.put(e.id(), e);
            }
            if (e.kind() == EntryKind.REVERSAL) {
                reversed.add(e.reverses().orElseThrow());
            }
        }

        Wallet build() {
            return new Wallet(currency, Collections.unmodifiableMap(grants), Collections.unmodifiableList(entries),
                    Collections.unmodifiableMap(balances), Collections.unmodifiableMap(drawdowns),
                    Collections.unmodifiableSet(reversed));
        }
    }
}
