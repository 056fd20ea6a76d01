package dev.tally.engine.credit.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.AlertRule;
import dev.tally.core.money.Money;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.BillingNotFoundException;
import dev.tally.engine.notify.WebhookEventTypes;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Balance alerts and the depletion of wallets. A {@link WalletAlert} threshold fires {@code wallet.balance_low} when a
 * wallet's live balance falls below it; every wallet fires {@code wallet.depleted} when its live balance reaches
 * zero. Each fires <em>once per crossing</em> and is re-armed when the live balance is back at or above the line.
 * Each watched line keeps an append-only list of steps ({@code wallet_crossings}: fired, re-armed, fired, ...); a
 * step is inserted with the next sequence under the primary key, so two threads or processes taking the same step
 * insert it once, and the webhook message is recorded in the outbox in the transaction that inserted a fired step.
 */
public final class WalletAlerts {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int MAX_NAME = 255;
    private static final Set<String> FIELDS = Set.of("customer", "plan", "metric", "thresholds", "currency", "name");

    private final LiveStore store;
    private final Billing billing;
    private final Clock clock;
    private volatile Map<String, List<WalletAlert>> byTenant = Map.of();
    /** The last step of each subject this process knows (tenant \0 subject); loaded whole once. */
    private final ConcurrentHashMap<String, LiveStore.Step> steps = new ConcurrentHashMap<>();
    private volatile boolean stepsLoaded;

    WalletAlerts(LiveStore store, Billing billing, Clock clock) {
        this.store = store;
        this.billing = billing;
        this.clock = clock;
        reload();
    }

    /** Reloads the definitions; returns the tenants whose alert list changed. */
    Set<String> reload() {
        Map<String, List<WalletAlert>> fresh = new java.util.HashMap<>();
        for (WalletAlert a : store.alerts()) {
            fresh.computeIfAbsent(a.tenant(), t -> new ArrayList<>()).add(a);
        }
        Set<String> changed = new java.util.HashSet<>();
        Map<String, List<WalletAlert>> before = byTenant;
        for (String t : fresh.keySet()) {
            if (!fresh.get(t).equals(before.get(t))) {
                changed.add(t);
            }
        }
        for (String t : before.keySet()) {
            if (!fresh.containsKey(t)) {
                changed.add(t);
            }
        }
        fresh.replaceAll((t, l) -> List.copyOf(l));
        byTenant = Map.copyOf(fresh);
        return changed;
    }

    // ---- definitions

    /**
     * Creates a balance alert from {@code {"customer"|"plan": ..., "metric": "balance", "thresholds": [...],
     * "currency"?, "name"?}}.
     *
     * @throws ValidationException for an invalid definition, an unknown customer or plan
     */
    public WalletAlert create(String tenant, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new ValidationException("", "the body must be a JSON object");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw new ValidationException(f, "is not a field of a balance alert");
            }
        });
        if (!WalletAlert.METRIC.equals(text(body, "metric").orElse(""))) {
            throw new ValidationException("metric", "must be \"balance\"");
        }
        Optional<String> customer = text(body, "customer");
        Optional<String> plan = text(body, "plan");
        if (customer.isPresent() == plan.isPresent()) {
            throw new ValidationException("", "a balance alert needs exactly one of \"customer\" or \"plan\"");
        }
        AlertRule.Scope scope = customer.isPresent() ? AlertRule.Scope.CUSTOMER : AlertRule.Scope.PLAN;
        String scopeId = customer.orElseGet(plan::get);
        Optional<Currency> currency = text(body, "currency").map(WalletAlerts::currency);
        if (scope == AlertRule.Scope.CUSTOMER) {
            try {
                billing.customer(tenant, scopeId);
            } catch (BillingNotFoundException e) {
                throw new ValidationException("customer", "no customer '" + scopeId + "'");
            }
        } else if (!billing.planKeys(tenant).contains(scopeId)) {
            throw new ValidationException("plan", "no plan '" + scopeId + "'");
        }
        JsonNode ts = body.get("thresholds");
        if (ts == null || !ts.isArray()) {
            throw new ValidationException("thresholds", "is required: a list of amounts as decimal strings");
        }
        List<BigDecimal> thresholds = new ArrayList<>();
        for (JsonNode t : ts) {
            if (!t.isTextual() || !t.asText().matches("[0-9]{1,18}(\\.[0-9]{1,12})?")) {
                throw new ValidationException("thresholds", "must be amounts as decimal strings, like \"10.00\"");
            }
            thresholds.add(new BigDecimal(t.asText()));
        }
        Optional<String> name = text(body, "name");
        if (name.filter(n -> n.isBlank() || n.length() > MAX_NAME).isPresent()) {
            throw new ValidationException("name", "must be 1 to " + MAX_NAME + " characters");
        }
        WalletAlert a = new WalletAlert("wal_" + UUID.randomUUID().toString().replace("-", ""), tenant, scope,
                scopeId, currency, thresholds, name, clock.instant().truncatedTo(ChronoUnit.SECONDS));
        store.insertAlert(a);
        reload();
        return a;
    }

    /** Whether a body is a balance alert's ({@code "metric": "balance"}), which {@link #create} takes. */
    public static boolean isBalanceAlert(JsonNode body) {
        return body != null && body.isObject() && body.path("metric").isTextual()
                && WalletAlert.METRIC.equals(body.get("metric").asText());
    }

    /** Whether an id is a balance alert's. */
    public static boolean isBalanceAlertId(String id) {
        return id.startsWith("wal_");
    }

    /** A tenant's balance alerts, oldest first. */
    public List<WalletAlert> list(String tenant) {
        return byTenant.getOrDefault(tenant, List.of());
    }

    /**
     * One balance alert.
     *
     * @throws BillingNotFoundException when there is none
     */
    public WalletAlert get(String tenant, String id) {
        reload();
        return list(tenant).stream().filter(a -> a.id().equals(id)).findFirst()
                .orElseThrow(() -> new BillingNotFoundException("no alert '" + id + "'"));
    }

    /**
     * Deletes a balance alert (its crossings stay in the ledger of steps).
     *
     * @throws BillingNotFoundException when there is none
     */
    public void delete(String tenant, String id) {
        if (!store.deleteAlert(tenant, id)) {
            throw new BillingNotFoundException("no alert '" + id + "'");
        }
        reload();
    }

    /** The JSON of a definition, beside the usage alerts' ({@code "metric": "balance"}). */
    public static ObjectNode json(WalletAlert a) {
        ObjectNode o = NODES.objectNode();
        o.put("id", a.id());
        a.name().ifPresentOrElse(n -> o.put("name", n), () -> o.putNull("name"));
        o.putNull("customer");
        o.putNull("plan");
        o.put(a.scope().wireName(), a.scopeId());
        o.put("metric", WalletAlert.METRIC);
        o.putNull("meter");
        a.currency().ifPresentOrElse(c -> o.put("currency", c.getCurrencyCode()), () -> o.putNull("currency"));
        ArrayNode t = o.putArray("thresholds");
        a.thresholds().forEach(x -> t.add(x.toPlainString()));
        o.putNull("percent_thresholds");
        o.putNull("of");
        o.putNull("budget");
        o.put("created_at", a.createdAt().toString());
        return o;
    }

    // ---- state

    /** One threshold of a balance alert for one wallet now: below it or not, and when its current crossing fired. */
    public record ThresholdState(BigDecimal threshold, boolean crossed, Optional<Instant> firedAt) {
    }

    /** A balance alert watching one wallet of a customer, with the live balance and each threshold's state. */
    public record Status(WalletAlert alert, String customer, Currency currency, Money liveBalance,
            List<ThresholdState> thresholds) {
    }

    List<Status> statuses(LiveSnapshot s) {
        loadSteps();
        List<Status> out = new ArrayList<>();
        for (WalletAlert a : list(s.tenant())) {
            if (!a.watches(s.customer(), s.plans())) {
                continue;
            }
            for (LiveWallet w : s.wallets()) {
                if (!a.watches(w.currency())) {
                    continue;
                }
                List<ThresholdState> ts = new ArrayList<>();
                for (BigDecimal t : a.thresholds()) {
                    LiveStore.Step st = steps.get(key(s.tenant(), lowSubject(a, s.customer(), w.currency(), t)));
                    ts.add(new ThresholdState(t, w.liveBalance().amount().compareTo(t) < 0,
                            Optional.ofNullable(st).filter(LiveStore.Step::fired).map(LiveStore.Step::at)));
                }
                out.add(new Status(a, s.customer(), w.currency(), w.liveBalance(), ts));
            }
        }
        return out;
    }

    // ---- evaluation

    /** Result of evaluating a snapshot: messages recorded, and whether a step was lost to another writer. */
    record Evaluated(int fired, boolean retry) {
    }

    Evaluated evaluate(LiveSnapshot s, Instant now) {
        loadSteps();
        int fired = 0;
        boolean retry = false;
        for (LiveWallet w : s.wallets()) {
            String cur = w.currency().getCurrencyCode();
            int r = cross(s.tenant(), "depleted:" + s.customer() + ":" + cur, w.depleted(), w, now,
                    WebhookEventTypes.WALLET_DEPLETED, seq -> depletedPayload(w, seq));
            if (r < 0) {
                retry = true;
            } else {
                fired += r;
            }
            for (WalletAlert a : list(s.tenant())) {
                if (!a.watches(s.customer(), s.plans()) || !a.watches(w.currency())) {
                    continue;
                }
                for (BigDecimal t : a.thresholds()) {
                    boolean low = w.liveBalance().amount().compareTo(t) < 0;
                    int x = cross(s.tenant(), lowSubject(a, s.customer(), w.currency(), t), low, w, now,
                            WebhookEventTypes.WALLET_BALANCE_LOW, seq -> lowPayload(a, t, w, seq));
                    if (x < 0) {
                        retry = true;
                    } else {
                        fired += x;
                    }
                }
            }
        }
        return new Evaluated(fired, retry);
    }

    /** Takes the next step of a line if the state moved: 1 fired, 0 nothing (or re-armed), -1 lost to another. */
    private int cross(String tenant, String subject, boolean below, LiveWallet w, Instant now, String type,
            java.util.function.LongFunction<ObjectNode> payload) {
        String k = key(tenant, subject);
        LiveStore.Step last = steps.get(k);
        if (next(last != null && last.fired(), below) == Move.STAY) {
            return 0;
        }
        long seq = last == null ? 1 : last.seq() + 1;
        Instant at = now.truncatedTo(ChronoUnit.SECONDS);
        if (store.step(tenant, subject, seq, below, w.liveBalance().plainString(), at,
                below ? Optional.of(type) : Optional.empty(), below ? payload.apply(seq) : null)) {
            steps.put(k, new LiveStore.Step(seq, below, at));
            return below ? 1 : 0;
        }
        store.lastStep(tenant, subject).ifPresent(st -> steps.put(k, st));
        return -1;
    }

    /** What a watched line does next. */
    enum Move { FIRE, REARM, STAY }

    /**
     * The crossing rule: an armed line fires when the balance is below it; a fired line is re-armed when the balance
     * is at or above it; otherwise it stays. So a line fires once per crossing, however often it is evaluated.
     */
    static Move next(boolean fired, boolean below) {
        if (below && !fired) {
            return Move.FIRE;
        }
        if (!below && fired) {
            return Move.REARM;
        }
        return Move.STAY;
    }

    /**
     * Loads the steps taken so far (once; again after {@link #forgetSteps}). A refresh run loads them before it
     * computes any snapshot: a step another process took from an event is then known only together with a view
     * of the usage that includes that event, so this process never re-arms a line on an older view.
     */
    void loadSteps() {
        if (!stepsLoaded) {
            synchronized (this) {
                if (!stepsLoaded) {
                    store.lastSteps().forEach(steps::putIfAbsent);
                    stepsLoaded = true;
                }
            }
        }
    }

    /** On a shared database another process may have taken steps: forget what this one knows. */
    void forgetSteps() {
        synchronized (this) {
            steps.clear();
            stepsLoaded = false;
        }
    }

    private static String key(String tenant, String subject) {
        return tenant + "\u0000" + subject;
    }

    private static String lowSubject(WalletAlert a, String customer, Currency c, BigDecimal t) {
        return "low:" + a.id() + ":" + customer + ":" + c.getCurrencyCode() + ":" + t.toPlainString();
    }

    private static ObjectNode wallet(ObjectNode o, LiveWallet w, long seq) {
        o.put("customer", w.customer());
        o.put("currency", w.currency().getCurrencyCode());
        o.put("live_balance", w.liveBalance().plainString());
        o.put("balance", w.balance().plainString());
        o.put("usable_balance", w.usableBalance().plainString());
        o.put("shortfall", w.shortfall().plainString());
        o.put("crossing", (seq + 1) / 2);
        return o;
    }

    private static ObjectNode lowPayload(WalletAlert a, BigDecimal threshold, LiveWallet w, long seq) {
        ObjectNode o = NODES.objectNode();
        o.put("alert", a.id());
        a.name().ifPresentOrElse(n -> o.put("alert_name", n), () -> o.putNull("alert_name"));
        o.put("threshold", threshold.toPlainString());
        return wallet(o, w, seq);
    }

    private static ObjectNode depletedPayload(LiveWallet w, long seq) {
        return wallet(NODES.objectNode(), w, seq);
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
