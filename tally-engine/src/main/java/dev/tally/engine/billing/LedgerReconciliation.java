package dev.tally.engine.billing;

import dev.tally.core.ledger.EntryKind;
import dev.tally.core.ledger.InvalidLedgerException;
import dev.tally.core.ledger.LedgerEntry;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import dev.tally.engine.credit.Credits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Proves a tenant's credit ledger against its invoices: every wallet rebuilds from its stored entries (each grant's
 * balance, the sum of its entries, never negative; every reversal gives back one drawdown once), every drawdown is
 * on exactly one invoice that is not a draft, of the same customer and currency, which lists that grant with that
 * amount, and the other way round; a void invoice's drawdowns are all reversed; and a negative invoice's credit to
 * the balance is exactly one {@code invoice_credit} grant of that amount. Prepaid commitments are proven the same way
 * ({@link dev.tally.engine.billing.commit.Commitments#reconcile}): every commitment drawdown is on exactly one
 * finalized invoice.
 */
public final class LedgerReconciliation {
    /** One thing that does not match, in words, with what was expected and what is there. */
    public record Difference(String what, String expected, String found) {
        public Difference {
            Objects.requireNonNull(what);
            Objects.requireNonNull(expected);
            Objects.requireNonNull(found);
        }
    }

    /** The outcome: how much was compared, and every difference found. */
    public record Result(int wallets, int entries, int invoices, List<Difference> differences) {
        public Result {
            differences = List.copyOf(differences);
        }
    }

    private final BillingStore store;
    private final Credits credits;
    private final dev.tally.engine.billing.commit.Commitments commitments;

    LedgerReconciliation(BillingStore store, Credits credits, dev.tally.engine.billing.commit.Commitments commitments) {
        this.store = store;
        this.credits = credits;
        this.commitments = commitments;
    }

    Result run(String tenant) {
        List<Difference> out = new ArrayList<>();
        int wallets = 0;
        int entries = 0;
        // what the ledger says each invoice drew from each grant, and credited to the balance
        Map<String, Map<String, Money>> drawn = new HashMap<>();
        Map<String, Money> credited = new HashMap<>();
        Map<String, Boolean> reversedAll = new HashMap<>();
        for (String[] w : credits.walletsOf(tenant)) {
            wallets++;
            Wallet wallet;
            try {
                wallet = credits.wallet(tenant, w[0], java.util.Currency.getInstance(w[1]));
            } catch (InvalidLedgerException e) {
                out.add(new Difference("wallet " + w[0] + " " + w[1], "a consistent ledger", e.getMessage()));
                continue;
            }
            entries += wallet.entries().size();
            for (LedgerEntry e : wallet.entries()) {
                if (e.invoiceId().isEmpty()) {
                    continue;
                }
                String inv = e.invoiceId().get();
                if (e.kind() == EntryKind.DRAWDOWN) {
                    drawn.computeIfAbsent(inv, k -> new HashMap<>()).merge(e.grantId(), e.amount().negate(), Money::plus);
                    reversedAll.merge(inv, wallet.openDrawdownsOf(inv).isEmpty(), Boolean::logicalAnd);
                } else if (e.kind() == EntryKind.GRANT && wallet.grant(e.grantId())
                        .map(g -> g.funding() == dev.tally.core.ledger.Funding.INVOICE_CREDIT).orElse(false)) {
                    credited.merge(inv, e.amount(), Money::plus);
                } else if (e.kind() == EntryKind.GRANT) {
                    // a purchased grant: its invoice bills exactly its price
                    Money price = wallet.grant(e.grantId()).flatMap(dev.tally.core.ledger.Grant::price)
                            .orElse(Money.zero(wallet.currency()));
                    store.invoice(tenant, inv).filter(i -> !i.totals().total().equals(price)).ifPresent(i ->
                            out.add(new Difference("purchase invoice " + inv + " of grant " + e.grantId(),
                                    "total " + price, "total " + i.totals().total())));
                }
                Optional<Invoice> invoice = store.invoice(tenant, inv);
                if (invoice.isEmpty() || invoice.get().status() == InvoiceStatus.DRAFT
                        || !invoice.get().customer().equals(w[0])
                        || !invoice.get().totals().currency().getCurrencyCode().equals(w[1])) {
                    out.add(new Difference("entry " + e.id() + " (" + e.kind().wireName() + ")",
                            "a finalized invoice " + inv + " of " + w[0] + " in " + w[1],
                            invoice.map(i -> i.status().wireName() + " invoice of " + i.customer()).orElse("no invoice")));
                }
            }
        }
        int invoices = 0;
        for (Invoice inv : store.invoicesWithCredits(tenant)) {
            invoices++;
            Map<String, Money> listed = new HashMap<>();
            inv.credits().lines().forEach(l -> listed.merge(l.grantId(), l.amount(), Money::plus));
            Map<String, Money> ledger = drawn.getOrDefault(inv.id(), Map.of());
            if (!listed.equals(ledger)) {
                out.add(new Difference("credits of invoice " + inv.id(), "drawdowns " + listed, "drawdowns " + ledger));
            }
            Money toBalance = inv.credits().toBalance();
            Money inLedger = credited.getOrDefault(inv.id(), Money.zero(toBalance.currency()));
            if (!toBalance.equals(inLedger)) {
                out.add(new Difference("credit to balance of invoice " + inv.id(), toBalance.toString(), inLedger.toString()));
            }
            if (inv.status() == InvoiceStatus.VOID && !reversedAll.getOrDefault(inv.id(), true)) {
                out.add(new Difference("void invoice " + inv.id(), "every drawdown reversed", "drawdowns left"));
            }
            drawn.remove(inv.id());
            credited.remove(inv.id());
        }
        drawn.forEach((inv, d) -> out.add(new Difference("drawdowns of " + inv, "listed on the invoice", "not listed: " + d)));
        credited.forEach((inv, c) -> out.add(new Difference("invoice credit of " + inv, "listed on the invoice",
                "not listed: " + c)));
        out.addAll(commitments.reconcile(tenant));
        return new Result(wallets, entries, invoices, out);
    }
}
