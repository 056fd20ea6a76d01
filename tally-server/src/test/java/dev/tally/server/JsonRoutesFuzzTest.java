package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tally.core.event.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property: whatever a client sends to any route that takes a JSON body (every POST, PUT and PATCH the server registers),
 * the server answers, within a second, with a status below 500, and every error is problem+json. Bodies are a valid
 * body of the route with one hostile change: a value replaced by a huge exponent ({@code 1e2147483647},
 * {@code -1e-2147483647}), a lone surrogate, an instant at the edge of java.time, a wrong type or deep nesting; a key
 * given twice; trailing data or a second document; a truncated body; or a hostile value in place of the whole body.
 */
class JsonRoutesFuzzTest {
    static final Instant NOV_1 = Instant.parse("2026-11-01T00:00:00Z");
    static final ObjectMapper MAPPER = Json.newMapper();

    static TestServer t;
    static List<String> routes;
    static String portalToken;
    static String subscription;
    static String grant;
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    static final String PLAN = """
            {"key":"pro","currency":"USD","interval":"monthly","trial_days":0,
             "tax_rates":[{"name":"VAT","percent":"20"}],
             "charges":[
              {"key":"base","type":"flat","amount":"30.00","timing":"in_advance"},
              {"key":"tokens","type":"usage","meter":"tokens","included_quantity":"1000","minimum_amount":"1",
               "price":{"model":"graduated","tiers":[{"up_to":"100","unit_price":"1","flat_fee":"0"},
                                                     {"up_to":null,"unit_price":"0.5","flat_fee":"10"}]}}],
             "features":[{"key":"tokens","type":"metered","meter":"tokens","limit":"1000","mode":"hard",
                          "grace_percent":"10"},{"key":"sso","type":"boolean","enabled":true}]}""";

    /** A valid body per route template (any other route gets {@code {}}). */
    static final Map<String, String> VALID = Map.ofEntries(
            Map.entry("POST /v1/event-types/{type}/schemas", "{\"schema\":{\"type\":\"object\",\"required\":[\"n\"],"
                    + "\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":0},\"s\":{\"pattern\":\"^a+$\"}}},"
                    + "\"effective_from\":\"2026-11-02T00:00:00Z\"}"),
            Map.entry("POST /v1/meters", "{\"key\":\"m1\",\"event_type\":\"t\",\"aggregation\":\"sum\","
                    + "\"expression\":\"v * 2\",\"group_by\":[\"g\"],\"filters\":{\"r\":[\"eu\"]}}"),
            Map.entry("PUT /v1/meters/{key}", "{\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                    + "\"value_path\":\"tokens\",\"effective_from\":\"2026-11-01T00:00:00Z\"}"),
            Map.entry("POST /v1/customers", "{\"external_id\":\"c1\",\"name\":\"C\",\"currency\":\"USD\","
                    + "\"timezone\":\"UTC\",\"email\":\"a@b.test\",\"tax_rates\":[{\"name\":\"VAT\",\"percent\":\"20\"}]}"),
            Map.entry("POST /v1/plans", PLAN.replace("\"key\":\"pro\"", "\"key\":\"p2\"")),
            Map.entry("POST /v1/prices/preview", "{\"currency\":\"USD\",\"price\":{\"model\":\"package\","
                    + "\"package_size\":\"100\",\"package_price\":\"5\",\"free_units\":\"0\",\"rounding\":\"up\"},"
                    + "\"quantity\":\"250\",\"included_quantity\":\"10\",\"minimum_amount\":\"1\"}"),
            Map.entry("POST /v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\",\"start\":\"2026-11-01T00:00:00Z\","
                    + "\"trial_days\":3,\"billing\":\"anniversary\"}"),
            Map.entry("POST /v1/subscriptions/{id}/change", "{\"plan\":\"pro\",\"at\":\"2026-11-15T00:00:00Z\"}"),
            Map.entry("POST /v1/subscriptions/{id}/cancel", "{\"at\":\"2026-11-20T00:00:00Z\"}"),
            Map.entry("POST /v1/subscriptions/{id}/commitments", "{\"type\":\"prepaid\",\"name\":\"Commit\","
                    + "\"amount\":\"100.00\",\"ends_at\":\"2027-01-01T00:00:00Z\",\"overage_rate\":\"1.2\","
                    + "\"at_term_end\":\"rollover\",\"invoicing\":\"up_front\"}"),
            Map.entry("POST /v1/alerts", "{\"name\":\"a\",\"customer\":\"acme\",\"metric\":\"spend\","
                    + "\"percent_thresholds\":[\"50\",\"100\"],\"of\":\"budget\",\"budget\":\"100.00\"}"),
            Map.entry("POST /v1/portal/alerts", "{\"name\":\"a\",\"metric\":\"usage\",\"meter\":\"tokens\","
                    + "\"thresholds\":[\"100\",\"5000\"]}"),
            Map.entry("PUT /v1/customers/{external_id}/entitlements/{feature}", "{\"meter\":\"tokens\",\"limit\":\"10\","
                    + "\"mode\":\"hard\",\"grace_percent\":\"5\"}"),
            Map.entry("POST /v1/credit-notes", "{\"invoice\":\"inv_none\",\"lines\":[{\"line_id\":\"l1\",\"amount\":\"1.00\"}]}"),
            Map.entry("POST /v1/events", "[{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"s\",\"type\":\"llm.tokens\","
                    + "\"subject\":\"acme\",\"time\":\"2026-11-01T00:00:00Z\",\"data\":{\"tokens\":5,\"model\":\"m\"}}]"),
            Map.entry("PUT /v1/billing/settings", "{\"grace_period_seconds\":3600}"),
            Map.entry("POST /v1/api-keys", "{\"name\":\"k\",\"scopes\":[\"read\"],\"expires_at\":\"2027-01-01T00:00:00Z\","
                    + "\"rate_limit\":{\"requests_per_second\":1000,\"burst\":1000}}"),
            Map.entry("POST /v1/customers/{external_id}/portal-tokens", "{\"ttl_seconds\":3600}"),
            Map.entry("POST /v1/tenants", "{\"id\":\"globex\",\"name\":\"Globex\"}"),
            Map.entry("PATCH /v1/customers/{external_id}", "{\"name\":\"Acme\",\"email\":\"a@b.test\","
                    + "\"tax_rates\":[{\"name\":\"VAT\",\"percent\":\"19\"}]}"),
            Map.entry("PATCH /v1/tenant", "{\"legal_name\":\"Acme GmbH\",\"address\":{\"line1\":\"Hauptstr. 1\","
                    + "\"city\":\"Berlin\",\"country\":\"DE\"},\"net_terms_days\":14,\"language\":\"de\"}"),
            Map.entry("POST /api/v1/events", "[{\"specversion\":\"1.0\",\"id\":\"o1\",\"source\":\"s\","
                    + "\"type\":\"llm.tokens\",\"subject\":\"acme\",\"time\":\"2026-11-01T00:00:00Z\",\"data\":{\"tokens\":5}}]"),
            Map.entry("POST /api/v1/meters", "{\"slug\":\"prompts\",\"aggregation\":\"SUM\",\"eventType\":\"prompt\","
                    + "\"valueProperty\":\"$.tokens\",\"groupBy\":{\"kind\":\"$.kind\"}}"),
            Map.entry("POST /v1/customers/{external_id}/grants", "{\"amount\":\"10.00\",\"priority\":5,"
                    + "\"expires_at\":\"2027-01-01T00:00:00Z\",\"applies_to\":[\"tokens\"],\"reason\":\"promo\"}"),
            Map.entry("POST /v1/customers/{external_id}/grants/{grant_id}/void", "{\"reason\":\"mistake\"}"),
            Map.entry("POST /v1/customers/{external_id}/grants/{grant_id}/adjustments", "{\"amount\":\"1.00\",\"reason\":\"fix\"}"),
            Map.entry("POST /v1/webhook-endpoints", "{\"url\":\"http://127.0.0.1:9/hook\",\"event_types\":[\"invoice.finalized\"]}"));

    /** Hostile JSON values (as JSON text). */
    static final List<String> ATOMS = List.of(
            "1e2147483647", "-1e-2147483647", "1E+2147483647", "\"1e2147483647\"", "\"-1e-2147483647\"",
            "0.1e-2147483647", "1e2147483648", "\"1e-2147483648\"", "9".repeat(1000), "\"" + "9".repeat(100) + "\"",
            "1.5", "-0", "0e999999999", "\"NaN\"", "\"Infinity\"", "\"0x10\"", "\"12,5\"", "-1", "2147483648",
            "9223372036854775807", "-9223372036854775808", "\"9223372036854775807\"", "1e29", "1e-30",
            "\"x\\ud800\"", "\"\\udc00\"", "\"a\\udbff\\udbffb\"", "\"\\u0000\"", "\"\"", "\" \"", "\"x\\ud83d\\ude00\"",
            "\"" + "a".repeat(5000) + "\"",
            "\"+999999999-12-31T23:59:59Z\"", "\"-999999999-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"",
            "\"9999-12-31T23:59:59-23:59\"", "\"1970-01-01T00:00:00Z\"", "\"1969-12-31T23:59:59Z\"",
            "\"2026-02-30T00:00:00Z\"", "\"2026-11-01T00:00:00+18:00\"",
            "true", "null", "[]", "{}", "[1,[2,[3]]]", "{\"a\":{\"b\":{\"c\":{}}}}",
            "[".repeat(64) + "]".repeat(64), "[".repeat(65) + "]".repeat(65), "{\"a\":".repeat(200) + "1" + "}".repeat(200));

    static final List<String> TRAILERS = List.of("xyz", "}", "]", " 1", "{}", "[]", "\u0000", "//", ",");

    enum Mutation { REPLACE_VALUE, ADD_FIELD, DUPLICATE_KEY, TRAILING, CONCATENATED, TRUNCATED, WHOLE_BODY }

    record Case(String route, Mutation mutation, String atom, int seed) {
    }

    @BeforeContainer
    static void startServer() throws Exception {
        t = new TestServer(new MutableClock(NOV_1), Files.createTempDirectory("tally-fuzz"));
        send("POST", "/v1/meters", "{\"key\":\"tokens\",\"event_type\":\"llm.tokens\",\"aggregation\":\"sum\","
                + "\"value_path\":\"tokens\"}", TestServer.KEY);
        send("POST", "/v1/plans", PLAN, TestServer.KEY);
        send("POST", "/v1/customers", "{\"external_id\":\"acme\",\"currency\":\"USD\"}", TestServer.KEY);
        subscription = MAPPER.readTree(send("POST", "/v1/subscriptions", "{\"customer\":\"acme\",\"plan\":\"pro\","
                + "\"start\":\"2026-11-01T00:00:00Z\"}", TestServer.KEY).body()).get("id").asText();
        portalToken = MAPPER.readTree(send("POST", "/v1/customers/acme/portal-tokens", "{}", TestServer.KEY).body())
                .get("token").asText();
        grant = MAPPER.readTree(send("POST", "/v1/customers/acme/grants", "{\"amount\":\"1000.00\"}", TestServer.KEY)
                .body()).get("id").asText();
        routes = t.server.routes().stream().filter(r -> r.startsWith("POST ") || r.startsWith("PUT ") || r.startsWith("PATCH "))
                .toList();
    }

    @AfterContainer
    static void stopServer() {
        t.close();
    }

    @Provide
    Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.of(routes), Arbitraries.of(Mutation.class), Arbitraries.of(ATOMS),
                Arbitraries.integers().between(0, 1_000_000)).as(Case::new);
    }

    @Property(tries = 700)
    void everyJsonRouteAnswersHostileBodiesWithAClientErrorInTime(@ForAll("cases") Case c) throws Exception {
        String route = c.route();
        String method = route.substring(0, route.indexOf(' '));
        String template = route.substring(route.indexOf(' ') + 1);
        String body = body(VALID.getOrDefault(route, "{}"), c);
        String key = template.startsWith("/v1/portal/") ? portalToken : TestServer.KEY;
        HttpResponse<String> r = send(method, path(template), body, key);
        assertThat(r.statusCode()).as(route + " <- " + abbreviate(body) + "\n" + r.body()).isLessThan(500);
        if (r.statusCode() >= 400) {
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(route + " " + r.body())
                    .startsWith("application/problem+json");
            JsonNode problem = MAPPER.readTree(r.body());
            assertThat(problem.path("type").asText()).as(r.body()).isNotEmpty();
            assertThat(problem.path("status").asInt()).isEqualTo(r.statusCode());
        }
    }

    @Property(tries = 40)
    void theValidBodyOfEveryRouteIsAnsweredWithoutAServerError(@ForAll("routeNames") String route) throws Exception {
        String method = route.substring(0, route.indexOf(' '));
        String template = route.substring(route.indexOf(' ') + 1);
        String key = template.startsWith("/v1/portal/") ? portalToken : TestServer.KEY;
        HttpResponse<String> r = send(method, path(template), VALID.getOrDefault(route, "{}"), key);
        assertThat(r.statusCode()).as(route + "\n" + r.body()).isLessThan(500);
    }

    @Provide
    Arbitrary<String> routeNames() {
        return Arbitraries.of(routes);
    }

    /** Fills a route's path parameters with ids that exist, so the body is what gets read. */
    static String path(String template) {
        return template.replace("{external_id}", "acme").replace("{feature}", "tokens").replace("{key}", "tokens")
                .replace("/v1/subscriptions/{id}", "/v1/subscriptions/" + subscription)
                .replace("{source}", "s").replace("{type}", "llm.tokens").replace("{id}", "e1").replace("{line_id}", "l1")
                .replace("{grant_id}", grant).replace("{currency}", "USD")
                .replaceAll("\\{[a-z_A-Z]+}", "x1"); // any other parameter: an id that names nothing
    }

    static String body(String valid, Case c) throws IOException {
        Random random = new Random(c.seed());
        return switch (c.mutation()) {
            case REPLACE_VALUE -> {
                JsonNode root = MAPPER.readTree(valid);
                List<ObjectNode> objects = new ArrayList<>();
                collect(root, objects);
                if (objects.isEmpty() || objects.stream().allMatch(JsonNode::isEmpty)) {
                    yield "{\"x\":" + c.atom() + "}";
                }
                List<ObjectNode> nonEmpty = objects.stream().filter(o -> !o.isEmpty()).toList();
                ObjectNode target = nonEmpty.get(random.nextInt(nonEmpty.size()));
                List<String> names = new ArrayList<>();
                target.fieldNames().forEachRemaining(names::add);
                target.putRawValue(names.get(random.nextInt(names.size())), new RawValue(c.atom()));
                yield MAPPER.writeValueAsString(root);
            }
            case ADD_FIELD -> valid.startsWith("{") ? "{\"extra\":" + c.atom() + "," + valid.substring(1)
                    : "[" + c.atom() + "," + valid.substring(1);
            case DUPLICATE_KEY -> {
                JsonNode root = MAPPER.readTree(valid);
                JsonNode first = root.isArray() ? root.get(0) : root;
                String name = first.fieldNames().hasNext() ? first.fieldNames().next() : "x";
                String dup = "{\"" + name + "\":" + c.atom() + ",";
                yield root.isArray() ? "[" + dup + valid.substring(2) : dup + valid.substring(1);
            }
            case TRAILING -> valid + TRAILERS.get(random.nextInt(TRAILERS.size()));
            case CONCATENATED -> valid + (random.nextBoolean() ? valid : c.atom());
            case TRUNCATED -> valid.substring(0, random.nextInt(valid.length()));
            case WHOLE_BODY -> c.atom();
        };
    }

    static void collect(JsonNode node, List<ObjectNode> out) {
        if (node instanceof ObjectNode o) {
            out.add(o);
            o.elements().forEachRemaining(child -> collect(child, out));
        } else if (node instanceof ArrayNode a) {
            a.elements().forEachRemaining(child -> collect(child, out));
        }
    }

    /**
     * Sends with a one-second deadline for the whole exchange. A timeout is retried once (a shared CI machine can
     * stall a single request); a request that misses the deadline twice has hung, and fails the property.
     */
    static HttpResponse<String> send(String method, String path, String body, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + t.server.port() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(1)).build();
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException first) {
            try {
                return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (HttpTimeoutException again) {
                throw new AssertionError(method + " " + path + " was not answered within a second: "
                        + abbreviate(body), again);
            }
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "... (" + s.length() + " chars)";
    }
}
