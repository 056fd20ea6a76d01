package dev.tally.server;

import dev.tally.engine.credit.live.LiveCredits;
import dev.tally.engine.credit.live.WalletAlerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.AlertRuleJson;
import dev.tally.engine.Engine;
import dev.tally.engine.entitlement.Alert;
import dev.tally.engine.entitlement.AlertStatus;
import dev.tally.engine.entitlement.Alerts;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Optional;

/** Usage and spend alerts: definitions, and the alerts of one customer with their state this period. */
final class AlertsApi {
    private final Alerts alerts;
    private final LiveCredits live;
    private final ObjectMapper mapper;

    AlertsApi(Engine engine, ObjectMapper mapper) {
        this.alerts = engine.alerts();
        this.live = engine.liveCredits();
        this.mapper = mapper;
    }

    void create(Request r) throws IOException {
        JsonNode body = body(r);
        if (WalletAlerts.isBalanceAlert(body)) {
            Responses.json(r.exchange, 201, WalletAlerts.json(live.alerts().create(r.tenant(), body)), mapper);
            return;
        }
        Responses.json(r.exchange, 201, write(alerts.create(r.tenant(), body)), mapper);
    }

    void list(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        ArrayNode list = out.putArray("alerts");
        alerts.list(r.tenant()).forEach(a -> list.add(write(a)));
        live.alerts().list(r.tenant()).forEach(a -> list.add(WalletAlerts.json(a)));
        Responses.json(r.exchange, 200, out, mapper);
    }

    void get(Request r) throws IOException {
        if (WalletAlerts.isBalanceAlertId(r.path("id"))) {
            Responses.json(r.exchange, 200, WalletAlerts.json(live.alerts().get(r.tenant(), r.path("id"))), mapper);
            return;
        }
        Responses.json(r.exchange, 200, write(alerts.get(r.tenant(), r.path("id"))), mapper);
    }

    void delete(Request r) throws IOException {
        if (WalletAlerts.isBalanceAlertId(r.path("id"))) {
            live.alerts().delete(r.tenant(), r.path("id"));
        } else {
            alerts.delete(r.tenant(), r.path("id"));
        }
        Responses.send(r.exchange, 204, "application/json", new byte[0]);
    }

    void ofCustomer(Request r) throws IOException {
        ObjectNode out = statuses(r.tenant(), r.path("external_id"), a -> true);
        balanceStatuses(r.tenant(), r.path("external_id"), (ArrayNode) out.get("alerts"));
        Responses.json(r.exchange, 200, out, mapper);
    }

    /** Adds the balance alerts watching the customer's wallets, in the same shape (one entry per wallet). */
    void balanceStatuses(String tenant, String customer, ArrayNode list) {
        for (WalletAlerts.Status s : live.alertStatuses(tenant, customer)) {
            ObjectNode o = WalletAlerts.json(s.alert());
            o.put("currency", s.currency().getCurrencyCode());
            o.putNull("period_start");
            o.putNull("period_end");
            o.put("value", s.liveBalance().plainString());
            o.putNull("base");
            ArrayNode thresholds = o.putArray("state");
            for (WalletAlerts.ThresholdState t : s.thresholds()) {
                ObjectNode th = thresholds.addObject();
                th.put("threshold", t.threshold().toPlainString());
                th.put("threshold_value", t.threshold().toPlainString());
                th.put("crossed", t.crossed());
                put(th, "fired_at", t.firedAt().map(Object::toString));
            }
            list.add(o);
        }
    }

    /** The alerts that watch a customer now (those {@code which} keeps), with their state this period. */
    ObjectNode statuses(String tenant, String customer, java.util.function.Predicate<Alert> which) {
        ObjectNode out = mapper.createObjectNode();
        out.put("customer", customer);
        ArrayNode list = out.putArray("alerts");
        for (AlertStatus s : alerts.forCustomer(tenant, customer)) {
            if (!which.test(s.alert())) {
                continue;
            }
            ObjectNode o = write(s.alert());
            put(o, "period_start", s.period().map(p -> p.start().toString()));
            put(o, "period_end", s.period().map(p -> p.end().toString()));
            put(o, "value", s.value().map(BigDecimal::toPlainString));
            put(o, "base", s.base().map(BigDecimal::toPlainString));
            ArrayNode thresholds = o.putArray("state");
            for (AlertStatus.Threshold t : s.thresholds()) {
                ObjectNode th = thresholds.addObject();
                th.put("threshold", t.threshold().toPlainString());
                put(th, "threshold_value", t.amount().map(BigDecimal::toPlainString));
                th.put("crossed", t.crossed());
                put(th, "fired_at", t.firedAt().map(Object::toString));
            }
            list.add(o);
        }
        return out;
    }

    /** Creates an alert from a body already checked by the caller. */
    Alert createRule(String tenant, JsonNode body) {
        return alerts.create(tenant, body);
    }

    Alert alert(String tenant, String id) {
        return alerts.get(tenant, id);
    }

    void deleteRule(String tenant, String id) {
        alerts.delete(tenant, id);
    }

    ObjectNode write(Alert a) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", a.id());
        o.setAll(AlertRuleJson.write(a.rule()));
        o.put("created_at", a.createdAt().toString());
        return o;
    }

    JsonNode body(Request r) throws IOException {
        return JsonBody.read(r, BillingApi.MAX_BODY);
    }

    private static void put(ObjectNode o, String field, Optional<String> value) {
        if (value.isPresent()) {
            o.put(field, value.get());
        } else {
            o.putNull(field);
        }
    }
}
