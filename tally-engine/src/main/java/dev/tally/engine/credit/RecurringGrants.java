package dev.tally.engine.credit;

import dev.tally.core.billing.CreditGrantRule;
import dev.tally.core.ledger.EntryKind;
import dev.tally.core.ledger.Grant;
import dev.tally.core.ledger.Rollover;
import dev.tally.core.ledger.Wallet;
import dev.tally.core.money.Money;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes recurring credit grants and their rollover at subscription boundaries (billing runs call
 * {@link #apply}). At each boundary of a subscription, once its invoices up to there are finalized, one transaction
 * holding the wallet's lock: first the expiries due, then the rollover of every earlier recurring grant of each rule
 * (an {@link EntryKind#EXPIRY} entry of what the rule does not let roll over, dated at the boundary), then one grant
 * per rule of the period starting there, then the boundary is recorded as done. Each grant is recorded under the
 * primary key (subscription, rule, period) and each rollover entry under the idempotency key
 * {@code rollover:<subscription>:<boundary>:<grant>}, both unique in the database, and the boundary is checked
 * under the wallet lock: whatever the number of processes and restarts, a period is granted once and a boundary
 * rolled over once.
 */
public final class RecurringGrants {
    private final Credits credits;
    private final RecurringStore store;
    private final GrantSchedules schedules;
    private final Clock clock;

    public RecurringGrants(Credits credits, dev.tally.engine.store.Database db, GrantSchedules schedules, Clock clock) {
        this.credits = credits;
        this.store = new RecurringStore(db);
        this.schedules = schedules;
        this.clock = clock;
    }

    /** What one call did. */
    public record Applied(int boundaries, int grants, int rolloverEntries) {
    }

    /**
     * Writes everything due at {@code now} for a tenant: each subscription's boundaries not done yet, in order,
     * stopping at the first whose invoices are still drafts.
     */
    public Applied apply(String tenant, Instant now) {
        Map<String, Instant> done = store.lastBoundaries(tenant);
        int boundaries = 0;
        int grants = 0;
        int rolled = 0;
        for (GrantSchedules.Schedule s : schedules.schedules(tenant, now, done)) {
            Instant last = done.get(s.subscriptionId());
            for (GrantSchedules.Boundary b : s.boundaries()) {
                if (b.at().isAfter(now) || last != null && !b.at().isAfter(last)) {
                    continue;
                }
                if (!b.invoiced()) {
                    break;
                }
                int[] r = boundary(tenant, s, b);
                if (r[0] >= 0) {
                    boundaries++;
                    grants += r[0];
                    rolled += r[1];
                }
            }
        }
        return new Applied(boundaries, grants, rolled);
    }

    /** One boundary in one wallet transaction; {grants, rollover entries}, or {-1, 0} if it was done already. */
    private int[] boundary(String tenant, GrantSchedules.Schedule s, GrantSchedules.Boundary b) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Currency currency = s.currency();
        String sub = s.subscriptionId();
        return credits.inWallet(tenant, s.customer(), currency, now, (c, w0) -> {
            if (store.boundaryDone(c, tenant, sub, b.at())) {
                return new int[] {-1, 0};
            }
            Wallet w = credits.expired(c, tenant, s.customer(), w0, now);
            // rollover: per rule, every earlier recurring grant of it, oldest first, under the latest one's rule
            Map<Integer, List<RecurringStore.Made>> byRule = new TreeMap<>();
            for (RecurringStore.Made m : store.made(c, tenant, sub)) {
                if (m.periodStart().isBefore(b.at())) {
                    byRule.computeIfAbsent(m.ruleIndex(), k -> new ArrayList<>()).add(m);
                }
            }
            int rolled = 0;
            for (List<RecurringStore.Made> made : byRule.values()) {
                Rollover rule = rollover(made.get(made.size() - 1).rollover(), currency);
                Wallet before = w;
                List<Money> balances = made.stream().map(m -> before.balanceOf(m.grantId())).toList();
                List<Money> expiring = rule.expiring(currency, balances);
                for (int i = 0; i < made.size(); i++) {
                    Money x = expiring.get(i);
                    if (x.amount().signum() == 0) {
                        continue;
                    }
                    String grantId = made.get(i).grantId();
                    w = credits.add(c, tenant, s.customer(), w, Credits.entry(w, grantId, EntryKind.EXPIRY, x.negate(),
                            b.at(), reason(rule), "rollover:" + sub, Optional.empty(), Optional.empty()),
                            Optional.of("rollover:" + sub + ":" + b.at() + ":" + grantId), now).wallet();
                    rolled++;
                }
            }
            int granted = 0;
            for (int i = 0; i < b.rules().size() && b.periodEnd().isPresent(); i++) {
                CreditGrantRule r = b.rules().get(i);
                Optional<Instant> expires = r.expiry().expiresAt(b.at(), b.nextPeriodEnd().orElse(b.periodEnd().get()));
                Grant g = new Grant(Credits.id("gr_"), r.amount(), r.priority(), b.at(), expires, r.appliesTo(),
                        r.funding(), r.price(), r.reason(), "subscription:" + sub, now);
                RecurringStore.Made m = new RecurringStore.Made(i, b.at(), b.periodEnd().get(), g.id(),
                        wire(r.rollover()));
                w = credits.addGrant(c, tenant, s.customer(), w, g, Optional.empty(),
                        "recurring:" + sub + ":" + i + ":" + b.at(), now);
                if (!store.insertMade(c, tenant, sub, m, now)) {
                    throw new CreditConflictException("the recurring grant " + sub + " rule " + i + " for " + b.at()
                            + " exists (written concurrently)");
                }
                granted++;
            }
            if (!store.markBoundary(c, tenant, sub, b.at(), now)) {
                throw new CreditConflictException("the boundary " + b.at() + " of " + sub + " is done (concurrently)");
            }
            return new int[] {granted, rolled};
        });
    }

    private static String reason(Rollover r) {
        return switch (r) {
            case Rollover.None n -> "Rollover none: what is left expires at the period's end";
            case Rollover.All a -> "Rollover all";
            case Rollover.UpTo u -> "Rollover up to " + u.cap().plainString() + ": the rest expires";
        };
    }

    static String wire(Rollover r) {
        return r instanceof Rollover.UpTo u ? "up_to:" + u.cap().plainString() : r.wireName();
    }

    static Rollover rollover(String stored, Currency currency) {
        if (stored.startsWith("up_to:")) {
            return new Rollover.UpTo(new Money(new BigDecimal(stored.substring("up_to:".length())), currency));
        }
        return stored.equals("all") ? new Rollover.All() : new Rollover.None();
    }
}
