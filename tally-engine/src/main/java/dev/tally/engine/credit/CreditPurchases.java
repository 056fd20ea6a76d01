package dev.tally.engine.credit;

import dev.tally.core.ledger.Funding;
import dev.tally.core.ledger.Grant;
import dev.tally.core.money.Money;
import dev.tally.engine.store.Database;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Buying credits: a {@link Funding#PAID} grant and the one-off invoice of its price, in one transaction (both or
 * neither). The invoice is issued first (it takes the tenant's invoice number, as finalizing does) and then the
 * wallet is locked, the order billing takes them in, so a purchase and a finalization never wait on each other in a
 * circle. The grant's opening entry names the invoice: voiding the invoice voids the grant, while none of it was
 * used (else the void is refused: void the invoices that drew it first). The credits are usable at once (from
 * {@code effective_from}, default now), not only once the invoice is paid: see docs/CREDITS.md.
 */
public final class CreditPurchases {
    private final Credits credits;
    private final Database db;
    private final InvoiceIssuer issuer;
    private final Clock clock;

    public CreditPurchases(Credits credits, Database db, InvoiceIssuer issuer, Clock clock) {
        this.credits = credits;
        this.db = db;
        this.issuer = issuer;
        this.clock = clock;
    }

    /** A grant bought, and its invoice (none when the price is zero: nothing to invoice). */
    public record Purchase(Grant grant, Optional<InvoiceIssuer.Issued> invoice) {
    }

    /**
     * Buys a paid grant and invoices its price.
     *
     * @throws dev.tally.core.validation.ValidationException if the grant is not paid with a price
     * @throws dev.tally.core.ledger.InvalidLedgerException if the grant is invalid
     */
    public Purchase buy(String tenant, String customer, Credits.GrantRequest r, String source) {
        return buy(tenant, customer, r, source, Optional.empty());
    }

    /**
     * Buys under an idempotency key (an automatic top-up's): a second purchase with the same key is refused with
     * {@link CreditConflictException} and leaves nothing behind.
     */
    Purchase buy(String tenant, String customer, Credits.GrantRequest r, String source, Optional<String> key) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        if (r.funding() != Funding.PAID || r.price().isEmpty()) {
            throw new dev.tally.core.validation.ValidationException("funding", "must be paid, with a price, to invoice it");
        }
        // validates before anything is numbered
        Grant probe = new Grant("gr_probe", r.amount(), r.priority(), r.effectiveFrom().orElse(now), r.expiresAt(),
                r.charges(), r.funding(), r.price(), r.reason(), source, now);
        Money price = probe.price().orElseThrow();
        return db.inTransaction(c -> {
            Optional<InvoiceIssuer.Issued> invoice = price.amount().signum() > 0
                    ? Optional.of(issuer.issue(tenant, customer, price, description(probe), now)) : Optional.empty();
            Grant g = new Grant(Credits.id("gr_"), probe.amount(), probe.priority(), probe.effectiveFrom(),
                    probe.expiresAt(), probe.charges(), probe.funding(), probe.price(), probe.reason(),
                    source, now);
            credits.inWallet(tenant, customer, price.currency(), now, (c2, w) -> credits.addGrant(c2, tenant, customer,
                    w, g, invoice.map(InvoiceIssuer.Issued::invoiceId), key.orElse("grant:" + g.id()), now));
            return new Purchase(g, invoice);
        });
    }

    private static String description(Grant g) {
        return "Prepaid credits: " + g.amount().plainString() + " " + g.amount().currency().getCurrencyCode()
                + (g.reason().isBlank() ? "" : " (" + g.reason() + ")");
    }
}
