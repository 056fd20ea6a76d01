package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.Feature;
import dev.tally.core.billing.FeatureJson;
import dev.tally.core.billing.LimitMode;
import dev.tally.core.billing.MeteredLimit;
import dev.tally.engine.Engine;
import dev.tally.engine.entitlement.EntitlementAnswer;
import dev.tally.engine.entitlement.Entitlements;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Optional;

/** Customers' entitlements to features (answered from memory) and their per-customer overrides. */
final class EntitlementsApi {
    private final Entitlements entitlements;
    private final dev.tally.engine.credit.live.BalanceRequirements requirements;
    private final ObjectMapper mapper;

    EntitlementsApi(Engine engine, ObjectMapper mapper) {
        this.entitlements = engine.entitlements();
        this.requirements = engine.liveCredits().requirements();
        this.mapper = mapper;
    }

    void get(Request r) throws IOException {
        EntitlementAnswer a = entitlements.check(r.tenant(), r.path("external_id"), r.path("feature"));
        Responses.json(r.exchange, 200, write(r.tenant(), a), mapper);
    }

    void list(Request r) throws IOException {
        String customer = r.path("external_id");
        ObjectNode out = mapper.createObjectNode();
        out.put("customer", customer);
        ArrayNode list = out.putArray("entitlements");
        entitlements.checkAll(r.tenant(), customer).forEach(a -> list.add(write(r.tenant(), a)));
        Responses.json(r.exchange, 200, out, mapper);
    }

    void put(Request r) throws IOException {
        JsonNode body = body(r);
        EntitlementAnswer a = entitlements.putOverride(r.tenant(), r.path("external_id"), r.path("feature"), body);
        Responses.json(r.exchange, 200, write(r.tenant(), a), mapper);
    }

    void delete(Request r) throws IOException {
        entitlements.deleteOverride(r.tenant(), r.path("external_id"), r.path("feature"));
        Responses.send(r.exchange, 204, "application/json", new byte[0]);
    }

    private JsonNode body(Request r) throws IOException {
        return JsonBody.read(r, BillingApi.MAX_BODY);
    }

    /** The answer's JSON with its {@code balance}: the balance requirement checked, or null when there is none. */
    ObjectNode write(String tenant, EntitlementAnswer a) {
        ObjectNode o = write(a);
        java.util.Optional<dev.tally.engine.credit.live.BalanceRequirements.Check> check =
                a.effective().isPresent() ? requirements.check(tenant, a.customer(), a.feature())
                        : java.util.Optional.empty();
        if (check.isPresent()) {
            o.set("balance", dev.tally.engine.credit.live.BalanceRequirements.json(check.get()));
        } else {
            o.putNull("balance");
        }
        return o;
    }

    /** The answer's JSON: every field present, {@code null} where it does not apply. */
    ObjectNode write(EntitlementAnswer a) {
        ObjectNode o = mapper.createObjectNode();
        o.put("customer", a.customer());
        o.put("feature", a.feature());
        put(o, "type", a.effective().map(Feature::type));
        o.put("allowed", a.allowed());
        put(o, "reason", a.decision().denial().map(d -> d.wireName()));
        Optional<MeteredLimit> quota = a.effective().flatMap(Feature::metered);
        put(o, "limit", quota.map(q -> q.limit().toPlainString()));
        put(o, "used", a.used().map(BigDecimal::toPlainString));
        put(o, "remaining", a.decision().remaining().map(BigDecimal::toPlainString));
        put(o, "overage", a.decision().overage().map(BigDecimal::toPlainString));
        o.put("over_limit", a.decision().overage().filter(x -> x.signum() > 0).isPresent());
        put(o, "mode", quota.map(q -> q.mode().wireName()));
        put(o, "grace_percent", quota.filter(q -> q.mode() == LimitMode.HARD).map(q -> q.gracePercent().toPlainString()));
        put(o, "ceiling", quota.flatMap(MeteredLimit::ceiling).map(BigDecimal::toPlainString));
        put(o, "period_start", a.period().map(p -> p.start().toString()));
        put(o, "resets_at", a.period().map(p -> p.end().toString()));
        put(o, "plan", a.plan());
        if (a.override().isPresent()) {
            o.set("override", FeatureJson.writeOverride(a.override().get()));
        } else {
            o.putNull("override");
        }
        return o;
    }

    private static void put(ObjectNode o, String field, Optional<String> value) {
        if (value.isPresent()) {
            o.put(field, value.get());
        } else {
            o.putNull(field);
        }
    }
}
