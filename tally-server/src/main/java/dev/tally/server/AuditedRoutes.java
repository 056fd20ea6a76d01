package dev.tally.server;

import java.util.Map;
import java.util.Optional;

/**
 * What the audit recorder needs to know of every mutating route (POST, PUT, PATCH, DELETE): the resource kind it
 * changes, where the resource's id comes from, and the canonical GET that reads its state before and after; or why
 * the route is not audited. A mutating route in neither table is a defect that EveryMutatingRouteIsAuditedTest
 * reports. See docs/AUDIT.md.
 */
final class AuditedRoutes {
    /**
     * How a route is audited. {@code id}: a template of path parameters ({@code {external_id}/{feature}}), a field of
     * the response ({@code $id}), the tenant ({@code @tenant}) or a constant ({@code =stripe}). {@code read}: the GET
     * template whose answer is the resource's state, with the route's path parameters and {@code {$}} for the id; none
     * means "the response body is the state after, and there was none before".
     */
    record Spec(String resource, String id, Optional<String> read) {
    }

    private static Spec spec(String resource, String id, String read) {
        return new Spec(resource, id, Optional.of(read));
    }

    private static Spec spec(String resource, String id) {
        return new Spec(resource, id, Optional.empty());
    }

    static final Map<String, Spec> AUDITED = Map.ofEntries(
            Map.entry("POST /v1/meters", spec("meter", "$key", "/v1/meters/{$}")),
            Map.entry("PUT /v1/meters/{key}", spec("meter", "{key}", "/v1/meters/{key}")),
            Map.entry("POST /v1/event-types/{type}/schemas", spec("event_schema", "{type}",
                    "/v1/event-types/{type}/schemas")),
            Map.entry("DELETE /v1/event-types/{type}/schemas", spec("event_schema", "{type}",
                    "/v1/event-types/{type}/schemas")),
            Map.entry("POST /api/v1/meters", spec("meter", "$slug", "/v1/meters/{$}")),
            Map.entry("POST /v1/customers", spec("customer", "$external_id", "/v1/customers/{$}")),
            Map.entry("PATCH /v1/customers/{external_id}", spec("customer", "{external_id}", "/v1/customers/{external_id}")),
            Map.entry("DELETE /v1/customers/{external_id}", spec("customer", "{external_id}", "/v1/customers/{external_id}")),
            Map.entry("POST /v1/plans", spec("plan", "$key", "/v1/plans/{$}")),
            Map.entry("POST /v1/subscriptions", spec("subscription", "$id", "/v1/subscriptions/{$}")),
            Map.entry("POST /v1/subscriptions/{id}/change", spec("subscription", "{id}", "/v1/subscriptions/{id}")),
            Map.entry("POST /v1/subscriptions/{id}/cancel", spec("subscription", "{id}", "/v1/subscriptions/{id}")),
            Map.entry("POST /v1/subscriptions/{id}/commitments",
                    spec("commitment", "$id", "/v1/subscriptions/{id}/commitments/{$}")),
            Map.entry("POST /v1/subscriptions/{id}/quantities", spec("subscription_quantity", "{id}")),
            Map.entry("POST /v1/subscriptions/{id}/overrides", spec("override", "$id")),
            Map.entry("POST /v1/subscriptions/{id}/overrides/{override_id}/versions", spec("override", "{override_id}",
                    "/v1/subscriptions/{id}/overrides/{override_id}/versions")),
            Map.entry("POST /v1/subscriptions/{id}/overrides/{override_id}/end", spec("override", "{override_id}",
                    "/v1/subscriptions/{id}/overrides/{override_id}/versions")),
            Map.entry("POST /v1/subscriptions/{id}/discounts", spec("discount", "$id")),
            Map.entry("POST /v1/subscriptions/{id}/discounts/{redemption_id}/end", spec("discount", "{redemption_id}")),
            Map.entry("POST /v1/coupons", spec("coupon", "$key", "/v1/coupons/{$}")),
            Map.entry("POST /v1/coupons/{key}/archive", spec("coupon", "{key}", "/v1/coupons/{key}")),
            Map.entry("POST /v1/invoices/{id}/finalize", spec("invoice", "{id}", "/v1/invoices/{id}")),
            Map.entry("POST /v1/invoices/{id}/void", spec("invoice", "{id}", "/v1/invoices/{id}")),
            Map.entry("POST /v1/invoices/{id}/mark-paid", spec("invoice", "{id}", "/v1/invoices/{id}")),
            Map.entry("POST /v1/invoices/{id}/payments", spec("invoice", "{id}", "/v1/invoices/{id}")),
            Map.entry("POST /v1/invoices/{id}/payments/retry", spec("invoice", "{id}", "/v1/invoices/{id}")),
            Map.entry("POST /v1/credit-notes", spec("credit_note", "$id")),
            Map.entry("POST /v1/billing/runs", spec("billing_run", "$at")),
            Map.entry("PUT /v1/billing/settings", spec("billing_settings", "@tenant", "/v1/billing/settings")),
            Map.entry("PUT /v1/dunning-policy", spec("dunning_policy", "@tenant", "/v1/dunning-policy")),
            Map.entry("PUT /v1/anomaly-policy", spec("anomaly_policy", "@tenant", "/v1/anomaly-policy")),
            Map.entry("POST /v1/anomalies/{id}/acknowledge", spec("anomaly", "{id}", "/v1/anomalies/{id}")),
            Map.entry("POST /v1/anomalies/{id}/dismiss", spec("anomaly", "{id}", "/v1/anomalies/{id}")),
            Map.entry("PATCH /v1/tenant", spec("tenant", "@tenant", "/v1/tenant")),
            Map.entry("POST /v1/tenants", spec("tenant", "$id")),
            Map.entry("POST /v1/api-keys", spec("api_key", "$id")),
            Map.entry("DELETE /v1/api-keys/{id}", spec("api_key", "{id}")),
            Map.entry("POST /v1/customers/{external_id}/portal-tokens", spec("portal_token", "{external_id}")),
            Map.entry("POST /v1/customers/{external_id}/portal-tokens/revoke", spec("portal_token", "{external_id}")),
            Map.entry("PUT /v1/providers/stripe", spec("payment_provider", "=stripe", "/v1/providers/stripe")),
            Map.entry("PUT /v1/providers/stripe/customers/{external_id}", spec("stripe_customer", "{external_id}",
                    "/v1/providers/stripe/customers/{external_id}")),
            Map.entry("POST /v1/providers/stripe/webhooks/{tenant}", spec("stripe_event", "$event")),
            Map.entry("POST /v1/webhook-endpoints", spec("webhook_endpoint", "$id", "/v1/webhook-endpoints/{$}")),
            Map.entry("DELETE /v1/webhook-endpoints/{id}", spec("webhook_endpoint", "{id}", "/v1/webhook-endpoints/{id}")),
            Map.entry("POST /v1/webhook-endpoints/{id}/rotate-secret",
                    spec("webhook_endpoint", "{id}", "/v1/webhook-endpoints/{id}")),
            Map.entry("POST /v1/webhook-endpoints/{id}/enable",
                    spec("webhook_endpoint", "{id}", "/v1/webhook-endpoints/{id}")),
            Map.entry("PUT /v1/customers/{external_id}/entitlements/{feature}", spec("entitlement",
                    "{external_id}/{feature}", "/v1/customers/{external_id}/entitlements/{feature}")),
            Map.entry("DELETE /v1/customers/{external_id}/entitlements/{feature}", spec("entitlement",
                    "{external_id}/{feature}", "/v1/customers/{external_id}/entitlements/{feature}")),
            Map.entry("POST /v1/customers/{external_id}/grants", spec("grant", "$id")),
            Map.entry("POST /v1/customers/{external_id}/grants/{grant_id}/void", spec("grant", "{grant_id}")),
            Map.entry("POST /v1/customers/{external_id}/grants/{grant_id}/adjustments", spec("grant", "{grant_id}")),
            Map.entry("PUT /v1/customers/{external_id}/wallets/{currency}/auto-top-up", spec("auto_top_up",
                    "{external_id}/{currency}", "/v1/customers/{external_id}/wallets/{currency}/auto-top-up")),
            Map.entry("DELETE /v1/customers/{external_id}/wallets/{currency}/auto-top-up", spec("auto_top_up",
                    "{external_id}/{currency}", "/v1/customers/{external_id}/wallets/{currency}/auto-top-up")),
            Map.entry("PUT /v1/exports/schedule", spec("export_schedule", "@tenant", "/v1/exports/schedule")),
            Map.entry("DELETE /v1/exports/schedule", spec("export_schedule", "@tenant", "/v1/exports/schedule")),
            Map.entry("PUT /v1/balance-requirements/{feature}", spec("balance_requirement", "{feature}",
                    "/v1/balance-requirements/{feature}")),
            Map.entry("DELETE /v1/balance-requirements/{feature}", spec("balance_requirement", "{feature}",
                    "/v1/balance-requirements/{feature}")),
            Map.entry("POST /v1/alerts", spec("alert", "$id", "/v1/alerts/{$}")),
            Map.entry("DELETE /v1/alerts/{id}", spec("alert", "{id}", "/v1/alerts/{id}")),
            Map.entry("POST /v1/portal/alerts", spec("alert", "$id")),
            Map.entry("DELETE /v1/portal/alerts/{id}", spec("alert", "{id}")));

    /** Mutating routes deliberately not audited, each with the reason (docs/AUDIT.md repeats them). */
    static final Map<String, String> EXCLUDED = Map.of(
            "POST /v1/events", "usage ingest: the data plane; the event log is its own append-only record",
            "POST /api/v1/events", "usage ingest (OpenMeter-compatible): as POST /v1/events",
            "POST /v1/events/{source}/{id}/cancel",
            "usage data plane: a cancel is itself an appended record in the event log",
            "POST /v1/prices/preview", "changes nothing: a price computed on the request's numbers",
            "POST /v1/exports/schedule/run",
            "writes export files of data already recorded; changes no configuration or money",
            "POST /v1/webhook-deliveries/{id}/retry",
            "re-sends a message already sent; changes no configuration or money (the delivery log records it)");

    private AuditedRoutes() {
    }

    static boolean mutating(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH") || method.equals("DELETE");
    }
}
