package dev.tally.engine.credit.live;

import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A customer's live wallets computed at {@code at}, with what they were computed from: the stored wallets and the
 * ledger's last sequence
 * per wallet (a later entry makes the snapshot out of date), the plans of its live subscriptions (for plan-scoped
 * alerts), its currency, and the first instant at which time alone changes the figures ({@code validUntil}: a
 * period end, a grant becoming effective or expiring).
 */
record LiveSnapshot(String tenant, String customer, Currency customerCurrency, List<LiveWallet> wallets,
        List<dev.tally.core.ledger.Wallet> stored, Map<String, Long> sequences, Set<String> plans, Instant validUntil,
        Instant at) {

    LiveSnapshot {
        wallets = List.copyOf(wallets);
        stored = List.copyOf(stored);
        sequences = Map.copyOf(sequences);
        plans = Set.copyOf(plans);
    }

    Optional<LiveWallet> wallet(Currency currency) {
        return wallets.stream().filter(w -> w.currency().equals(currency)).findFirst();
    }
}
