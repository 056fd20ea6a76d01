package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpExchange;
import dev.tally.core.event.IngestLimits;
import dev.tally.core.event.Json;
import dev.tally.core.event.MalformedBodyException;
import dev.tally.core.event.RequestTooLargeException;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.Engine;
import dev.tally.engine.EngineConfig;
import dev.tally.engine.MeterConflictException;
import dev.tally.engine.ingest.EventNotFoundException;
import dev.tally.engine.ingest.StorageUnavailableException;
import dev.tally.engine.usage.UnknownMeterException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Tally server: the engine on its data directory behind the HTTP
 * API. {@link #start} returns once the log has been replayed and the port is
 * listening. Every error becomes problem+json; unexpected exceptions are logged
 * with an id and answered with that id only, never their text.
 */
public final class TallyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TallyServer.class);

    private final Engine engine;
    private final HttpListener http;
    private final ObjectMapper mapper = Json.newMapper();
    private final List<Route> routes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Auth auth;
    private final dev.tally.server.stripe.StripeProvider stripe;
    private final AuditRecorder recorder;
    private dev.tally.export.DailyTrigger dailyExports;

    private TallyServer(ServerConfig config, Clock clock,
            java.util.function.Function<dev.tally.engine.store.Database, dev.tally.engine.ingest.EventStore> storeFactory)
            throws IOException {
        IngestLimits limits = IngestLimits.DEFAULTS.withBackdatingWindow(config.backdatingWindow());
        this.engine = Engine.open(new EngineConfig(config.dataDir(), limits, config.bootstrapKey(),
                EngineConfig.DEFAULT_SEGMENT_BYTES, config.billingEvery(), config.databaseUrl(), config.webhooks(),
                config.secrets(), config.dedup(), LogArchiveConfig.fromEnvironment(System.getenv())),
                clock, storeFactory);
        this.stripe = new dev.tally.server.stripe.StripeProvider(engine, config.stripe());
        try {
            config.metersFile().ifPresent(this::loadMeters);
            this.auth = new Auth(engine);
            this.recorder = new AuditRecorder(engine, mapper, () -> routes);
            ServerMetrics metrics = new ServerMetrics(engine);
            IngestActivity activity = new IngestActivity(engine.clock());
            EventsApi events = new EventsApi(engine, mapper, metrics.ingestLatency, activity);
            MetersApi meters = new MetersApi(engine, mapper);
            OperationsApi ops = new OperationsApi(engine, mapper, metrics);
            WebUi web = new WebUi();
            route("GET", "/", null, web::dashboard);
            route("GET", "/portal", null, web::portal);
            route("GET", "/assets/{file}", null, web::asset);
            route("GET", "/health/live", null, ops::live);
            route("GET", "/health/ready", null, ops::ready);
            route("GET", "/metrics", null, ops::metrics);
            route("GET", "/openapi.yaml", null, new OpenApiDocument()::serve);
            route("POST", "/v1/events", "ingest", events::ingest);
            route("GET", "/v1/events", "read", QueryParams.of("customer", "type", "from", "to", "cursor", "limit"), events::list);
            route("POST", "/v1/events/{source}/{id}/cancel", "ingest", events::cancel);
            route("GET", "/v1/event-types", "read", events::types);
            SchemasApi schemas = new SchemasApi(engine, mapper);
            route("POST", "/v1/event-types/{type}/schemas", "admin", schemas::create);
            route("GET", "/v1/event-types/{type}/schemas", "read", schemas::list);
            route("GET", "/v1/event-types/{type}/schemas/{version}", "read", schemas::get);
            route("DELETE", "/v1/event-types/{type}/schemas", "admin", schemas::retire);
            route("GET", "/v1/events/rejected", "read", QueryParams.of("customer", "limit"), events::rejected);
            route("GET", "/v1/events/unmatched-subjects", "read", QueryParams.of("limit"), events::unmatchedSubjects);
            route("POST", "/v1/meters", "admin", meters::create);
            route("GET", "/v1/meters", "read", meters::list);
            route("GET", "/v1/meters/{key}", "read", meters::get);
            route("PUT", "/v1/meters/{key}", "admin", meters::put);
            route("GET", "/v1/meters/{key}/usage", "read", QueryParams.of("customer", "subject", "from", "to", "window", "tz", "timezone", "group_by", "filter[*]"), meters::usage);
            route("GET", "/v1/reconciliation", "read", QueryParams.of("from", "to"), ops::reconcile);
            ExportsApi exportsApi = new ExportsApi(engine, mapper, config.dataDir().resolve("exports"));
            dailyExports = exportsApi.startDailyTrigger();
            route("GET", "/v1/exports/events", "read", QueryParams.of("format", "from", "to", "cursor", "limit", "header"), exportsApi::events);
            route("GET", "/v1/exports/usage", "read", QueryParams.of("meter", "window", "tz", "format", "from", "to", "cursor", "limit", "header"), exportsApi::usage);
            route("GET", "/v1/exports/invoice-lines", "read", QueryParams.of("format", "from", "to", "cursor", "limit"), exportsApi::invoiceLines);
            route("PUT", "/v1/exports/schedule", "admin", exportsApi::putSchedule);
            route("GET", "/v1/exports/schedule", "admin", exportsApi::getSchedule);
            route("DELETE", "/v1/exports/schedule", "admin", exportsApi::deleteSchedule);
            route("POST", "/v1/exports/schedule/run", "admin", exportsApi::runSchedule);
            route("GET", "/v1/stats", "read", QueryParams.of("tz"), new StatsApi(engine, mapper, activity)::stats);
            AnalyticsApi analytics = new AnalyticsApi(new dev.tally.engine.analytics.Analytics(engine.billing(),
                    engine.payments()), engine.clock(), mapper);
            route("GET", "/v1/analytics/mrr", "read", QueryParams.of("from", "to", "group_by", "currency", "rate[*]"), analytics::mrr);
            route("GET", "/v1/analytics/revenue", "read", QueryParams.of("from", "to", "group_by", "currency", "rate[*]"), analytics::revenue);
            route("GET", "/v1/analytics/customers/top", "read", QueryParams.of("from", "to", "limit", "currency", "rate[*]"), analytics::topCustomers);
            BillingApi billing = new BillingApi(engine, mapper, events);
            route("POST", "/v1/customers", "admin", billing::createCustomer);
            route("GET", "/v1/customers", "read", QueryParams.of("q", "archived"), billing::listCustomers);
            route("GET", "/v1/customers/{external_id}", "read", billing::getCustomer);
            route("GET", "/v1/customers/{external_id}/usage", "read", billing::customerUsage);
            CustomersApi customers = new CustomersApi(engine, mapper);
            route("PATCH", "/v1/customers/{external_id}", "admin", customers::patch);
            route("DELETE", "/v1/customers/{external_id}", "admin", customers::archive);
            route("GET", "/v1/customers/{external_id}/versions", "read", customers::versions);
            route("POST", "/v1/plans", "admin", billing::createPlan);
            route("GET", "/v1/plans", "read", billing::listPlans);
            route("GET", "/v1/plans/{key}", "read", billing::getPlan);
            route("POST", "/v1/prices/preview", "read", billing::preview);
            route("POST", "/v1/subscriptions", "admin", billing::subscribe);
            route("GET", "/v1/subscriptions", "read", QueryParams.of("customer", "plan"), billing::listSubscriptions);
            route("GET", "/v1/subscriptions/{id}", "read", billing::getSubscription);
            route("POST", "/v1/subscriptions/{id}/change", "admin", billing::changeSubscription);
            route("POST", "/v1/subscriptions/{id}/cancel", "admin", billing::cancelSubscription);
            CommitmentsApi commitments = new CommitmentsApi(engine, mapper);
            route("GET", "/v1/subscriptions/{id}/commitments", "read", QueryParams.of("type"), commitments::list);
            route("POST", "/v1/subscriptions/{id}/commitments", "admin", commitments::create);
            route("GET", "/v1/subscriptions/{id}/commitments/{commitment_id}", "read", commitments::get);
            SeatsApi seats = new SeatsApi(engine, mapper);
            route("POST", "/v1/subscriptions/{id}/quantities", "admin", seats::record);
            route("GET", "/v1/subscriptions/{id}/quantities", "read", QueryParams.of("charge"), seats::list);
            route("GET", "/v1/invoices", "read", QueryParams.of("customer", "status", "payment_status", "overdue", "limit"), billing::listInvoices);
            route("GET", "/v1/invoices/{id}", "read", billing::getInvoice);
            route("POST", "/v1/invoices/{id}/finalize", "admin", billing::finalizeInvoice);
            route("POST", "/v1/invoices/{id}/void", "admin", billing::voidInvoice);
            route("POST", "/v1/invoices/{id}/mark-paid", "admin", billing::markPaid);
            PaymentsApi paymentsApi = new PaymentsApi(engine, mapper);
            route("POST", "/v1/invoices/{id}/payments", "admin", paymentsApi::record);
            route("GET", "/v1/invoices/{id}/payments", "read", paymentsApi::list);
            DunningApi dunning = new DunningApi(engine, mapper);
            route("POST", "/v1/invoices/{id}/payments/retry", "admin", dunning::retry);
            route("GET", "/v1/invoices/{id}/dunning", "read", dunning::invoice);
            route("GET", "/v1/dunning-policy", "read", dunning::getPolicy);
            route("PUT", "/v1/dunning-policy", "admin", dunning::putPolicy);
            AccountingExportsApi exports = new AccountingExportsApi(engine);
            route("GET", "/v1/exports/invoices.csv", "read", QueryParams.of("from", "to"), exports::invoices);
            route("GET", "/v1/exports/credit-notes.csv", "read", QueryParams.of("from", "to"), exports::creditNotes);
            route("GET", "/v1/exports/payments.csv", "read", QueryParams.of("from", "to"), exports::payments);
            StripeApi stripeApi = new StripeApi(stripe, mapper);
            route("PUT", "/v1/providers/stripe", "admin", stripeApi::connect);
            route("GET", "/v1/providers/stripe", "read", stripeApi::get);
            route("PUT", "/v1/providers/stripe/customers/{external_id}", "admin", stripeApi::linkCustomer);
            route("GET", "/v1/providers/stripe/customers/{external_id}", "read", stripeApi::getCustomer);
            // the only API route without a key: the Stripe-Signature is its authentication
            route("POST", "/v1/providers/stripe/webhooks/{tenant}", null, stripeApi::webhook);
            route("GET", "/v1/invoices/{id}/lines/{line_id}/events", "read", QueryParams.of("after", "limit"), billing::lineEvents);
            route("POST", "/v1/credit-notes", "admin", billing::createCreditNote);
            route("POST", "/v1/billing/runs", "admin", billing::run);
            route("GET", "/v1/billing/settings", "read", billing::getSettings);
            TenantApi tenantApi = new TenantApi(engine, mapper);
            route("GET", "/v1/tenant", "read", tenantApi::get);
            route("PATCH", "/v1/tenant", "admin", tenantApi::patch);
            AccessApi access = new AccessApi(engine, mapper);
            route("POST", "/v1/api-keys", "admin", access::createKey);
            route("GET", "/v1/api-keys", "admin", access::listKeys);
            route("DELETE", "/v1/api-keys/{id}", "admin", access::revokeKey);
            route("POST", "/v1/tenants", "system", access::createTenant);
            route("GET", "/v1/tenants", "system", access::listTenants);
            route("POST", "/v1/customers/{external_id}/portal-tokens", "admin", access::portalToken);
            route("POST", "/v1/customers/{external_id}/portal-tokens/revoke", "admin", access::revokePortalTokens);
            PortalApi portal = new PortalApi(engine, mapper, billing, meters);
            route("GET", "/v1/portal/customer", Auth.PORTAL, portal::customer);
            route("GET", "/v1/portal/usage", Auth.PORTAL, portal::usage);
            route("GET", "/v1/portal/meters/{key}/usage", Auth.PORTAL, QueryParams.of("from", "to", "window", "tz", "group_by", "filter[*]"), portal::meterUsage);
            route("GET", "/v1/portal/invoices", Auth.PORTAL, QueryParams.of("status", "limit"), portal::invoices);
            route("GET", "/v1/portal/invoices/{id}", Auth.PORTAL, portal::invoice);
            route("GET", "/v1/portal/wallets", Auth.PORTAL, portal::wallets);
            route("PUT", "/v1/billing/settings", "admin", billing::putSettings);
            WebhooksApi webhooks = new WebhooksApi(engine.webhooks(), mapper);
            route("POST", "/v1/webhook-endpoints", "admin", webhooks::create);
            route("GET", "/v1/webhook-endpoints", "read", webhooks::list);
            route("GET", "/v1/webhook-endpoints/{id}", "read", webhooks::get);
            route("DELETE", "/v1/webhook-endpoints/{id}", "admin", webhooks::delete);
            route("POST", "/v1/webhook-endpoints/{id}/rotate-secret", "admin", webhooks::rotateSecret);
            route("POST", "/v1/webhook-endpoints/{id}/enable", "admin", webhooks::enable);
            route("GET", "/v1/webhook-deliveries", "read", QueryParams.of("endpoint", "limit"), webhooks::deliveries);
            route("GET", "/v1/webhook-deliveries/{id}", "read", webhooks::delivery);
            route("POST", "/v1/webhook-deliveries/{id}/retry", "admin", webhooks::retry);
            EntitlementsApi entitlements = new EntitlementsApi(engine, mapper);
            route("GET", "/v1/customers/{external_id}/entitlements", "read", entitlements::list);
            route("GET", "/v1/customers/{external_id}/entitlements/{feature}", "read", entitlements::get);
            route("PUT", "/v1/customers/{external_id}/entitlements/{feature}", "admin", entitlements::put);
            route("DELETE", "/v1/customers/{external_id}/entitlements/{feature}", "admin", entitlements::delete);
            CreditsApi credits = new CreditsApi(engine, mapper);
            route("GET", "/v1/customers/{external_id}/wallets", "read", credits::wallets);
            route("GET", "/v1/customers/{external_id}/wallets/{currency}/entries", "read", QueryParams.of("cursor", "limit"),
                    credits::entries);
            route("GET", "/v1/customers/{external_id}/grants", "read", credits::grants);
            route("POST", "/v1/customers/{external_id}/grants", "admin", credits::createGrant);
            route("POST", "/v1/customers/{external_id}/grants/{grant_id}/void", "admin", credits::voidGrant);
            route("POST", "/v1/customers/{external_id}/grants/{grant_id}/adjustments", "admin", credits::adjust);
            BalanceRequirementsApi balanceRequirements = new BalanceRequirementsApi(engine, mapper);
            route("GET", "/v1/balance-requirements", "read", balanceRequirements::list);
            route("GET", "/v1/balance-requirements/{feature}", "read", balanceRequirements::get);
            route("PUT", "/v1/balance-requirements/{feature}", "admin", balanceRequirements::put);
            route("DELETE", "/v1/balance-requirements/{feature}", "admin", balanceRequirements::delete);
            AutoTopUpApi topUps = new AutoTopUpApi(engine, mapper);
            route("PUT", "/v1/customers/{external_id}/wallets/{currency}/auto-top-up", "admin", topUps::put);
            route("GET", "/v1/customers/{external_id}/wallets/{currency}/auto-top-up", "read", topUps::get);
            route("DELETE", "/v1/customers/{external_id}/wallets/{currency}/auto-top-up", "admin", topUps::delete);
            route("GET", "/v1/customers/{external_id}/wallets/{currency}/units", "read",
                    new CreditUnitsApi(engine, mapper)::list);
            DiscountsApi discounts = new DiscountsApi(engine, mapper);
            route("POST", "/v1/subscriptions/{id}/overrides", "admin", discounts::createOverride);
            route("GET", "/v1/subscriptions/{id}/overrides", "read", discounts::listOverrides);
            route("GET", "/v1/subscriptions/{id}/overrides/{override_id}/versions", "read", discounts::versions);
            route("POST", "/v1/subscriptions/{id}/overrides/{override_id}/versions", "admin", discounts::addVersion);
            route("POST", "/v1/subscriptions/{id}/overrides/{override_id}/end", "admin", discounts::endOverride);
            route("POST", "/v1/coupons", "admin", discounts::createCoupon);
            route("GET", "/v1/coupons", "read", discounts::listCoupons);
            route("GET", "/v1/coupons/{key}", "read", discounts::getCoupon);
            route("POST", "/v1/coupons/{key}/archive", "admin", discounts::archiveCoupon);
            route("POST", "/v1/subscriptions/{id}/discounts", "admin", discounts::redeem);
            route("GET", "/v1/subscriptions/{id}/discounts", "read", discounts::listDiscounts);
            route("POST", "/v1/subscriptions/{id}/discounts/{redemption_id}/end", "admin", discounts::endDiscount);
            AlertsApi alerts = new AlertsApi(engine, mapper);
            route("POST", "/v1/alerts", "admin", alerts::create);
            route("GET", "/v1/alerts", "read", alerts::list);
            route("GET", "/v1/alerts/{id}", "read", alerts::get);
            route("DELETE", "/v1/alerts/{id}", "admin", alerts::delete);
            route("GET", "/v1/customers/{external_id}/alerts", "read", alerts::ofCustomer);
            PortalAlerts portalAlerts = new PortalAlerts(alerts, mapper);
            route("GET", "/v1/portal/alerts", Auth.PORTAL, portalAlerts::list);
            route("POST", "/v1/portal/alerts", Auth.PORTAL, portalAlerts::create);
            route("DELETE", "/v1/portal/alerts/{id}", Auth.PORTAL, portalAlerts::delete);
            route("GET", "/v1/audit", "admin", QueryParams.of("resource", "id", "actor", "from", "to", "cursor", "limit"),
                    new AuditApi(engine.audit(), mapper)::list);
            AnomaliesApi anomalies = new AnomaliesApi(engine.anomalies(), mapper);
            route("GET", "/v1/anomalies", "read", QueryParams.of("status", "customer", "kind", "from", "to", "cursor", "limit"), anomalies::list);
            route("GET", "/v1/anomalies/{id}", "read", anomalies::get);
            route("POST", "/v1/anomalies/{id}/acknowledge", "admin", anomalies::acknowledge);
            route("POST", "/v1/anomalies/{id}/dismiss", "admin", anomalies::dismiss);
            route("GET", "/v1/anomaly-policy", "read", anomalies::getPolicy);
            route("PUT", "/v1/anomaly-policy", "admin", anomalies::putPolicy);
            OpenMeterApi openMeter = new OpenMeterApi(engine, mapper, events);
            route("POST", "/api/v1/events", "ingest", openMeter::ingest);
            route("GET", "/api/v1/meters", "read", QueryParams.of("page", "pageSize", "order", "orderBy",
                    "includeDeleted"), openMeter::listMeters);
            route("POST", "/api/v1/meters", "admin", openMeter::createMeter);
            route("GET", "/api/v1/meters/{meterIdOrSlug}", "read", openMeter::getMeter);
            route("GET", "/api/v1/meters/{meterIdOrSlug}/query", "read", QueryParams.of("from", "to", "windowSize",
                    "windowTimeZone", "subject", "groupBy", "clientId", "filterCustomerId",
                    "advancedMeterGroupByFilters", "filterGroupBy[*]"), openMeter::query);
            this.http = new HttpListener(config.http(), config.port(), this::dispatch);
            stripe.start();
        } catch (IOException | RuntimeException e) {
            stripe.close();
            engine.close();
            throw e;
        }
        LOG.info("Tally listening on http://{} (data in {})", address(), config.dataDir().toAbsolutePath());
    }

    public static TallyServer start(ServerConfig config, Clock clock) {
        return start(config, clock, null);
    }

    /**
     * Starts a server whose engine keeps its events in a store of the caller's (e.g. the Kafka mode's API node);
     * null means the default for the configuration.
     */
    public static TallyServer start(ServerConfig config, Clock clock,
            java.util.function.Function<dev.tally.engine.store.Database, dev.tally.engine.ingest.EventStore> storeFactory) {
        try {
            return new TallyServer(config, clock, storeFactory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the server", e);
        }
    }

    public int port() {
        return http.port();
    }

    /** The address and port the server is bound to, e.g. {@code 127.0.0.1:8080} or {@code [::]:8080}. */
    public String address() {
        return http.boundAddress();
    }

    /** The engine behind this server (for in-process tools and tests). */
    public Engine engine() {
        return engine;
    }

    /** The Stripe payment provider of this server (its push step, webhooks and connections). */
    public dev.tally.server.stripe.StripeProvider stripe() {
        return stripe;
    }

    /** Every route as "METHOD /template", for the OpenAPI contract test. */
    public List<String> routes() {
        return routes.stream().map(r -> r.method() + " " + r.template()).toList();
    }

    /** The mutating routes that write an audit record, as "METHOD /template" with their resource kind. */
    public Map<String, String> auditedRoutes() {
        Map<String, String> out = new java.util.TreeMap<>();
        AuditedRoutes.AUDITED.forEach((k, v) -> out.put(k, v.resource()));
        return out;
    }

    /** The mutating routes deliberately not audited, as "METHOD /template" with the reason (docs/AUDIT.md). */
    public Map<String, String> unauditedRoutes() {
        return new java.util.TreeMap<>(AuditedRoutes.EXCLUDED);
    }

    /** A route that takes no query parameters: a request with any is refused (400 unknown-parameter). */
    void route(String method, String template, String scope, Route.Handler handler) {
        route(method, template, scope, QueryParams.NONE, handler);
    }

    /** A route that accepts exactly the {@code query} parameters; package-private so that tests can add one. */
    void route(String method, String template, String scope, QueryParams query, Route.Handler handler) {
        routes.add(new Route(method, template, Optional.ofNullable(scope), query, handler));
    }

    /** Every route's method, template and accepted query parameters (for tests). */
    List<Route> routeTable() {
        return List.copyOf(routes);
    }

    private void loadMeters(Path file) {
        try {
            ObjectMapper reader = file.toString().endsWith(".json") ? mapper : new ObjectMapper(new YAMLFactory());
            JsonNode root = reader.readTree(Files.readAllBytes(file));
            JsonNode list = root.isArray() ? root : root.path("meters");
            List<JsonNode> defs = new ArrayList<>();
            list.forEach(defs::add);
            int changed = engine.syncMeters(Engine.DEFAULT_TENANT, defs).size();
            LOG.info("meters file {}: {} meters, {} created or changed", file, defs.size(), changed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the meters file " + file, e);
        }
    }

    private void dispatch(HttpExchange ex) {
        try {
            try {
                handle(ex);
            } catch (HttpError e) {
                Responses.problem(ex, e, mapper);
            } catch (ValidationException e) {
                Responses.problem(ex, new HttpError(400, "validation", "Invalid request", e.getMessage(),
                        e.violations()), mapper);
            } catch (MalformedBodyException e) {
                Responses.problem(ex, new HttpError(400, "malformed-body", "Malformed body", e.getMessage()), mapper);
            } catch (RequestTooLargeException e) {
                Responses.problem(ex, new HttpError(413, "request-too-large", "Request too large", e.getMessage()), mapper);
            } catch (dev.tally.core.pricing.PricingException e) {
                Responses.problem(ex, new HttpError(400, "validation", "Invalid request", e.getMessage(),
                        List.of(new dev.tally.core.validation.FieldViolation(e.field(), e.problem()))), mapper);
            } catch (dev.tally.core.billing.InvalidBillingException e) {
                Responses.problem(ex, new HttpError(400, "validation", "Invalid request", e.getMessage(),
                        List.of(new dev.tally.core.validation.FieldViolation(e.field(), e.getMessage()))), mapper);
            } catch (dev.tally.engine.billing.BillingNotFoundException e) {
                Responses.problem(ex, HttpError.notFound(e.getMessage()), mapper);
            } catch (dev.tally.engine.billing.BillingConflictException e) {
                Responses.problem(ex, new HttpError(409, e.type(), "Conflict", e.getMessage()), mapper);
            } catch (dev.tally.engine.payment.PaymentConflictException e) {
                Responses.problem(ex, new HttpError(409, e.type(), "Conflict", e.getMessage()), mapper);
            } catch (dev.tally.engine.payment.InvalidPaymentException e) {
                Responses.problem(ex, new HttpError(400, "validation", "Invalid request", e.getMessage(),
                        List.of(new dev.tally.core.validation.FieldViolation(e.field(), e.getMessage()))), mapper);
            } catch (dev.tally.core.ledger.InvalidLedgerException e) {
                Responses.problem(ex, new HttpError(400, "validation", "Invalid request", e.getMessage(),
                        List.of(new dev.tally.core.validation.FieldViolation(e.field(), e.problem()))), mapper);
            } catch (dev.tally.engine.credit.CreditNotFoundException e) {
                Responses.problem(ex, HttpError.notFound(e.getMessage()), mapper);
            } catch (dev.tally.engine.credit.CreditConflictException e) {
                Responses.problem(ex, new HttpError(409, "conflict", "Conflict", e.getMessage()), mapper);
            } catch (dev.tally.engine.notify.WebhookNotFoundException e) {
                Responses.problem(ex, HttpError.notFound(e.getMessage()), mapper);
            } catch (dev.tally.engine.notify.WebhookConflictException e) {
                Responses.problem(ex, new HttpError(409, "conflict", "Conflict", e.getMessage()), mapper);
            } catch (UnknownMeterException | EventNotFoundException e) {
                Responses.problem(ex, HttpError.notFound(e.getMessage()), mapper);
            } catch (MeterConflictException e) {
                Responses.problem(ex, new HttpError(409, "conflict", "Conflict", e.getMessage()), mapper);
            } catch (StorageUnavailableException e) {
                String errorId = UUID.randomUUID().toString();
                LOG.warn("storage unavailable, error id {}", errorId, e);
                ex.getResponseHeaders().set("Retry-After", "1");
                Responses.problem(ex, new HttpError(503, "unavailable", "Service unavailable",
                        "the event store is unavailable; nothing in this request was acknowledged, retry it"
                                + " (error id " + errorId + ")"), mapper);
            } catch (dev.tally.engine.log.LogReadException e) { // e.g. an archived segment the archive cannot serve
                String errorId = UUID.randomUUID().toString();
                LOG.warn("event log unreadable, error id {}", errorId, e);
                Responses.problem(ex, new HttpError(503, "unavailable", "Service unavailable",
                        "part of the event log cannot be read now; retry later (error id " + errorId + ")"), mapper);
            } catch (dev.tally.engine.store.StoreException e) {
                if (!unreachable(e) && engine.ready()) {
                    internalError(ex, e);
                    return;
                }
                unavailable(ex, e);
            } catch (Exception e) {
                if (!engine.ready()) {
                    // whatever failed, the store is not answering: a retry later is the right advice
                    unavailable(ex, e);
                    return;
                }
                internalError(ex, e);
            } catch (Throwable e) {
                // an Error too (e.g. OutOfMemoryError from a hostile value): a 500 with an error id, never silence
                internalError(ex, e);
            }
        } catch (Throwable e) {
            LOG.debug("could not write a response", e);
        } finally {
            ex.close();
        }
    }

    /** A 503 with Retry-After: the database does not answer; the exception goes to the log under an id. */
    private void unavailable(HttpExchange ex, Exception e) throws IOException {
        String errorId = UUID.randomUUID().toString();
        LOG.warn("database unreachable, error id {}", errorId, e);
        ex.getResponseHeaders().set("Retry-After", "1");
        Responses.problem(ex, new HttpError(503, "unavailable", "Service unavailable",
                "the database is unavailable; retry the request (error id " + errorId + ")"), mapper);
    }

    /** A 500 that says only an error id; the exception goes to the log under that id. */
    private void internalError(HttpExchange ex, Throwable e) throws IOException {
        String errorId = UUID.randomUUID().toString();
        LOG.error("unexpected error {} on {} {}", errorId, ex.getRequestMethod(), ex.getRequestURI(), e);
        Responses.problem(ex, new HttpError(500, "internal", "Internal error",
                "an unexpected error occurred; quote error id " + errorId), mapper);
    }

    /**
     * Whether a store failure is the database being out of reach (a 503 to retry), not a bug: a connection
     * error in the cause chain, or (when a broken pooled connection hides the cause) a database that does not
     * answer the readiness check.
     */
    private static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException || t instanceof java.net.ConnectException
                    || t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    private void handle(HttpExchange ex) throws Exception {
        String raw = ex.getRequestURI().getRawPath();
        String[] segments = raw.length() <= 1 ? new String[] {""} : raw.substring(1).split("/", -1);
        boolean pathMatched = false;
        String requestId = RequestIds.assign(ex);
        for (Route route : routes) {
            Optional<Map<String, String>> params = route.match(segments);
            if (params.isEmpty()) {
                continue;
            }
            pathMatched = true;
            if (!route.method().equals(ex.getRequestMethod())) {
                continue;
            }
            Request request = new Request(ex, params.get());
            if (route.scope().isPresent()) {
                request.principal = auth.authenticate(request, route.scope().get());
            }
            Optional<String> unknown = route.query().firstUnknown(request.query.keySet());
            if (unknown.isPresent()) {
                throw route.query().refuse(unknown.get(), route.method() + " " + route.template());
            }
            recorder.handle(route, request, requestId);
            return;
        }
        if (pathMatched) {
            throw new HttpError(405, "method-not-allowed", "Method not allowed",
                    ex.getRequestMethod() + " is not allowed on " + raw);
        }
        throw HttpError.notFound("no such resource: " + raw);
    }

    @Override
    public void close() {
        http.close();
        stripe.close();
        if (dailyExports != null) {
            dailyExports.close();
        }
        engine.close();
    }
}
