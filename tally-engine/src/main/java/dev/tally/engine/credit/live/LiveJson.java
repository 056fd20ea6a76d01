package dev.tally.engine.credit.live;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.ledger.Wallet;
import java.util.Optional;

/** The JSON of live wallets (API spelling, amounts as decimal strings, {@code null} where a figure does not apply). */
public final class LiveJson {
    private LiveJson() {
    }

    /**
     * A wallet as {@code GET /v1/customers/{id}/wallets} shows it: the ledger figures and, computed at
     * {@code live_balance_as_of}, the live balance, the shortfall, the period's usage charges, the burn rate and the
     * runway. {@code stored} (the ledger's wallet, for its counts) may be empty where only live figures are shown.
     */
    public static ObjectNode wallet(LiveWallet w, Optional<Wallet> stored) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("currency", w.currency().getCurrencyCode());
        o.put("balance", w.balance().plainString());
        o.put("usable_balance", w.usableBalance().plainString());
        o.put("live_balance", w.liveBalance().plainString());
        o.put("live_balance_as_of", w.asOf().toString());
        o.put("shortfall", w.shortfall().plainString());
        o.put("depleted", w.depleted());
        w.periodStart().ifPresentOrElse(p -> o.put("period_start", p.toString()), () -> o.putNull("period_start"));
        o.put("usage_charges", w.usageCharges().plainString());
        w.burnPerDay().ifPresentOrElse(b -> o.put("burn_rate_per_day", b.plainString()),
                () -> o.putNull("burn_rate_per_day"));
        w.runwayDays().ifPresentOrElse(d -> o.put("runway_days", d.toPlainString()), () -> o.putNull("runway_days"));
        w.runsOutAt().ifPresentOrElse(t -> o.put("runs_out_at", t.toString()), () -> o.putNull("runs_out_at"));
        stored.ifPresent(s -> {
            o.put("grants", s.grants().size());
            o.put("entries", s.entries().size());
        });
        return o;
    }
}
