package dev.tally.engine.credit.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.EntitlementDecision;
import dev.tally.core.billing.Plan;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.billing.BillingNotFoundException;
import dev.tally.engine.entitlement.EntitlementAnswer;
import dev.tally.engine.entitlement.EntitlementGate;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Features that require a positive live balance ({@link BalanceRequirement}), and the gate every entitlement answer
 * passes through: an answer the plan allows is denied with {@code balance_depleted} when the requirement says so.
 * The gate reads the in-memory live snapshot ({@link LiveCredits}), so a check stays an in-memory answer; a customer
 * not computed yet is computed once, there and then.
 */
public final class BalanceRequirements implements EntitlementGate {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> FIELDS = Set.of("currency", "mode", "grace_amount", "without_wallet");

    private final LiveStore store;
    private final LiveCredits live;
    private final Clock clock;
    private volatile Map<String, Map<String, BalanceRequirement>> byTenant;

    BalanceRequirements(LiveStore store, LiveCredits live, Clock clock) {
        this.store = store;
        this.live = live;
        this.clock = clock;
        reload();
    }

    void reload() {
        byTenant = store.requirements();
    }

    /** A tenant's requirements, by feature. */
    public List<BalanceRequirement> list(String tenant) {
        return List.copyOf(byTenant.getOrDefault(tenant, Map.of()).values());
    }

    /** The requirement of one feature, if any. */
    public Optional<BalanceRequirement> get(String tenant, String feature) {
        return Optional.ofNullable(byTenant.getOrDefault(tenant, Map.of()).get(feature));
    }

    /**
     * Sets (replacing) the requirement of a feature from {@code {"mode": "hard"|"soft"|"grace", "grace_amount"?,
     * "currency"?, "without_wallet": "allow"|"deny"}}.
     *
     * @throws ValidationException for an invalid feature key or body
     */
    public BalanceRequirement put(String tenant, String feature, JsonNode body) {
        if (!Plan.KEY.matcher(feature).matches()) {
            throw new ValidationException("feature", "must be a feature key: 1 to 64 lower-case letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        if (body == null || !body.isObject()) {
            throw new ValidationException("", "the body must be a JSON object");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw new ValidationException(f, "is not a field of a balance requirement");
            }
        });
        BalanceRequirement.Mode mode = text(body, "mode").map(m -> BalanceRequirement.Mode.fromWireName(m)
                .orElseThrow(() -> new ValidationException("mode", "must be \"hard\", \"soft\" or \"grace\"")))
                .orElse(BalanceRequirement.Mode.HARD);
        Optional<Currency> currency = text(body, "currency").map(BalanceRequirements::currency);
        BigDecimal grace = text(body, "grace_amount").map(g -> {
            if (!g.matches("[0-9]{1,18}(\\.[0-9]{1,12})?")) {
                throw new ValidationException("grace_amount", "must be an amount as a decimal string, like \"5.00\"");
            }
            return new BigDecimal(g);
        }).orElse(BigDecimal.ZERO);
        String without = text(body, "without_wallet").orElse("allow");
        if (!without.equals("allow") && !without.equals("deny")) {
            throw new ValidationException("without_wallet", "must be \"allow\" or \"deny\"");
        }
        BalanceRequirement r = new BalanceRequirement(feature, currency, mode, grace, without.equals("deny"),
                clock.instant().truncatedTo(ChronoUnit.SECONDS));
        store.putRequirement(tenant, r);
        reload();
        return r;
    }

    /**
     * Removes the requirement of a feature.
     *
     * @throws BillingNotFoundException when there is none
     */
    public void delete(String tenant, String feature) {
        if (!store.deleteRequirement(tenant, feature)) {
            throw new BillingNotFoundException("feature '" + feature + "' has no balance requirement");
        }
        reload();
    }

    /** A requirement checked against a customer's wallet now: the wallet (empty: none) and whether it allows. */
    public record Check(BalanceRequirement requirement, Currency currency, Optional<LiveWallet> wallet,
            boolean allows) {
    }

    /** The requirement of a feature checked for a customer, from memory; empty when the feature has none. */
    public Optional<Check> check(String tenant, String customer, String feature) {
        Optional<BalanceRequirement> req = get(tenant, feature);
        if (req.isEmpty()) {
            return Optional.empty();
        }
        LiveSnapshot s = live.snapshot(tenant, customer);
        Currency c = req.get().currency().orElse(s.customerCurrency());
        Optional<LiveWallet> w = s.wallet(c);
        boolean allows = w.map(req.get()::allows).orElse(!req.get().denyWithoutWallet());
        return Optional.of(new Check(req.get(), c, w, allows));
    }

    @Override
    public EntitlementAnswer apply(String tenant, EntitlementAnswer a) {
        if (!a.allowed() || get(tenant, a.feature()).isEmpty()) {
            return a;
        }
        Optional<Check> check = check(tenant, a.customer(), a.feature());
        if (check.isEmpty() || check.get().allows()) {
            return a;
        }
        EntitlementDecision d = a.decision();
        return new EntitlementAnswer(a.customer(), a.feature(), a.effective(),
                new EntitlementDecision(false, Optional.of(EntitlementDecision.Denial.BALANCE_DEPLETED), d.remaining(),
                        d.overage()), a.used(), a.period(), a.plan(), a.override());
    }

    /** The JSON of a requirement. */
    public static ObjectNode json(BalanceRequirement r) {
        ObjectNode o = NODES.objectNode();
        o.put("feature", r.feature());
        r.currency().ifPresentOrElse(c -> o.put("currency", c.getCurrencyCode()), () -> o.putNull("currency"));
        o.put("mode", r.mode().wireName());
        if (r.mode() == BalanceRequirement.Mode.GRACE) {
            o.put("grace_amount", r.graceAmount().toPlainString());
        } else {
            o.putNull("grace_amount");
        }
        o.put("without_wallet", r.denyWithoutWallet() ? "deny" : "allow");
        o.put("created_at", r.createdAt().toString());
        return o;
    }

    /** The JSON of a check, as the {@code balance} of an entitlement answer. */
    public static ObjectNode json(Check c) {
        ObjectNode o = NODES.objectNode();
        o.put("currency", c.currency().getCurrencyCode());
        o.put("mode", c.requirement().mode().wireName());
        if (c.requirement().mode() == BalanceRequirement.Mode.GRACE) {
            o.put("grace_amount", c.requirement().graceAmount().toPlainString());
        } else {
            o.putNull("grace_amount");
        }
        o.put("has_wallet", c.wallet().isPresent());
        c.wallet().ifPresentOrElse(w -> {
            o.put("live_balance", w.liveBalance().plainString());
            o.put("shortfall", w.shortfall().plainString());
            o.put("depleted", w.depleted());
            o.put("as_of", w.asOf().toString());
        }, () -> {
            o.putNull("live_balance");
            o.putNull("shortfall");
            o.putNull("depleted");
            o.putNull("as_of");
        });
        o.put("allowed", c.allows());
        return o;
    }

    private static Optional<String> text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw new ValidationException(field, "must be a string");
        }
        return Optional.of(n.asText());
    }

    private static Currency currency(String code) {
        try {
            if (code.matches("[A-Z]{3}")) {
                return Currency.getInstance(code);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error
        }
        throw new ValidationException("currency", "must be an ISO 4217 code like USD");
    }
}
