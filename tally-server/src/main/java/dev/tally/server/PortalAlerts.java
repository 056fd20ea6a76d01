package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.AlertRule;
import dev.tally.engine.entitlement.Alert;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code /v1/portal/alerts}: the alerts a customer-portal token's customer has on its own account (those whose
 * scope is that customer; the operator's plan-wide alerts stay private), adding one (always for the token's
 * customer, whatever the body names) and removing one of them (any other id is "not found").
 */
final class PortalAlerts {
    private final AlertsApi alerts;
    private final ObjectMapper mapper;

    PortalAlerts(AlertsApi alerts, ObjectMapper mapper) {
        this.alerts = alerts;
        this.mapper = mapper;
    }

    private static String customerOf(Request r) {
        return r.principal.customer().orElseThrow();
    }

    private static boolean owned(Alert a, String customer) {
        return a.rule().scope() == AlertRule.Scope.CUSTOMER && a.rule().scopeId().equals(customer);
    }

    void list(Request r) throws IOException {
        String customer = customerOf(r);
        Responses.json(r.exchange, 200, alerts.statuses(r.tenant(), customer, a -> owned(a, customer)), mapper);
    }

    void create(Request r) throws IOException {
        JsonNode body = alerts.body(r);
        if (!body.isObject()) {
            throw HttpError.badRequest("body", "must be a JSON object");
        }
        if (body.has("plan")) {
            throw HttpError.badRequest("plan", "a portal alert watches the customer's own account; leave 'plan' out");
        }
        ObjectNode scoped = mapper.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("customer")) {
                scoped.set(e.getKey(), e.getValue());
            }
        }
        scoped.put("customer", customerOf(r));
        Responses.json(r.exchange, 201, alerts.write(alerts.createRule(r.tenant(), scoped)), mapper);
    }

    void delete(Request r) throws IOException {
        String id = r.path("id");
        Alert a = alerts.alert(r.tenant(), id); // an unknown id is a 404 "no alert"
        if (!owned(a, customerOf(r))) {
            throw HttpError.notFound("no alert '" + id + "'");
        }
        alerts.deleteRule(r.tenant(), id);
        Responses.send(r.exchange, 204, "application/json", new byte[0]);
    }
}
