package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/openapi.yaml in step with the server: the same operations as the route table (both ways),
 * every operation answers something, /v1 is behind bearerAuth and the operational endpoints are not, and
 * the server really enforces what the document says about auth.
 */
class OpenApiContractTest {
    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    static final Pattern PATH_PARAM = Pattern.compile("\\{([^}/]+)}");
    /** The only API operations served without a key: Stripe's webhooks, authenticated by their Stripe-Signature. */
    static final Set<String> SIGNED_NOT_KEYED = Set.of("POST /v1/providers/stripe/webhooks/{tenant}");

    static TestServer t;
    static JsonNode spec;
    static Path specFile;

    @BeforeAll
    static void load() throws IOException {
        specFile = findSpec();
        spec = new ObjectMapper(new YAMLFactory()).readTree(Files.readAllBytes(specFile));
        t = new TestServer(new MutableClock(Instant.parse("2026-11-20T12:00:00Z")));
    }

    @AfterAll
    static void stop() {
        if (t != null) {
            t.close();
        }
    }

    /** Walks up from the working directory (the module when Maven runs the test) to the repository root. */
    static Path findSpec() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs").resolve("openapi.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("docs/openapi.yaml not found above " + Path.of("").toAbsolutePath());
    }

    record Operation(String method, String path, JsonNode node, JsonNode pathItem) {
        String key() {
            return method.toUpperCase(Locale.ROOT) + " " + path;
        }
    }

    static List<Operation> operations() {
        List<Operation> out = new ArrayList<>();
        JsonNode paths = spec.path("paths");
        assertThat(paths.isObject()).as("%s has a 'paths' object", specFile).isTrue();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = p.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (METHODS.contains(op.getKey())) {
                    out.add(new Operation(op.getKey(), p.getKey(), op.getValue(), p.getValue()));
                }
            }
        }
        return out;
    }

    @Test
    void isOpenApi31() {
        assertThat(spec.path("openapi").asText()).startsWith("3.1");
        assertThat(spec.path("components").path("securitySchemes").path("bearerAuth").path("scheme").asText())
                .isEqualTo("bearer");
    }

    @Test
    void documentsExactlyTheServersRoutes() {
        Set<String> documented = new TreeSet<>();
        List<String> duplicates = new ArrayList<>();
        for (Operation op : operations()) {
            if (!documented.add(op.key())) {
                duplicates.add(op.key());
            }
        }
        Set<String> served = new TreeSet<>(t.server.routes());
        Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        Set<String> notServed = new TreeSet<>(documented);
        notServed.removeAll(served);
        assertThat(duplicates).as("operations listed twice in %s", specFile).isEmpty();
        assertThat(undocumented.isEmpty() && notServed.isEmpty())
                .as("docs/openapi.yaml and TallyServer.routes() differ.%n"
                        + "  Served but not documented (add to docs/openapi.yaml): %s%n"
                        + "  Documented but not served (remove, or add the route): %s", undocumented, notServed)
                .isTrue();
    }

    /** The query parameters each route accepts (its declaration in TallyServer) are the ones documented for it. */
    @Test
    void documentsExactlyEachRoutesQueryParameters() {
        Map<String, Operation> byKey = new java.util.HashMap<>();
        operations().forEach(op -> byKey.put(op.key(), op));
        List<String> differ = new ArrayList<>();
        for (Route route : t.server.routeTable()) {
            Operation op = byKey.get(route.method() + " " + route.template());
            if (op == null) {
                continue; // documentsExactlyTheServersRoutes reports it
            }
            Set<String> documented = new TreeSet<>();
            List<JsonNode> params = new ArrayList<>();
            op.pathItem().path("parameters").forEach(params::add);
            op.node().path("parameters").forEach(params::add);
            for (JsonNode p : params) {
                if (p.has("$ref")) {
                    p = spec.at(p.get("$ref").asText().substring(1));
                }
                if (p.path("in").asText().equals("query")) {
                    documented.add(p.path("style").asText().equals("deepObject")
                            ? p.path("name").asText() + "[...]" : p.path("name").asText());
                }
            }
            Set<String> declared = new TreeSet<>(route.query().declared());
            if (!documented.equals(declared)) {
                differ.add(op.key() + ": served " + declared + ", documented " + documented);
            }
        }
        assertThat(differ).as("query parameters in TallyServer and docs/openapi.yaml differ").isEmpty();
    }

    @Test
    void everyOperationHasResponsesAndTheRightSecurity() {
        JsonNode global = spec.path("security");
        List<String> problems = new ArrayList<>();
        Set<String> operationIds = new HashSet<>();
        for (Operation op : operations()) {
            JsonNode responses = op.node().path("responses");
            if (!responses.isObject() || responses.isEmpty()) {
                problems.add(op.key() + ": has no responses");
            } else if (!hasSuccess(responses)) {
                problems.add(op.key() + ": has no 2xx response");
            }
            String id = op.node().path("operationId").asText("");
            if (id.isEmpty() || !operationIds.add(id)) {
                problems.add(op.key() + ": needs a unique operationId (has '" + id + "')");
            }
            JsonNode security = op.node().has("security") ? op.node().get("security") : global;
            boolean bearer = requiresBearer(security);
            if (SIGNED_NOT_KEYED.contains(op.key())) {
                if (bearer) {
                    problems.add(op.key() + ": is authenticated by its signature, not a key; set 'security: []'");
                }
            } else if (op.path().startsWith("/v1/") || op.path().equals("/v1") || op.path().startsWith("/api/v1/")) {
                if (!bearer) {
                    problems.add(op.key() + ": a /v1 operation must require bearerAuth (own or global security)");
                } else if (!responses.has("401")) {
                    problems.add(op.key() + ": requires bearerAuth but documents no 401");
                }
            } else if (bearer) {
                problems.add(op.key() + ": operational endpoints are served without a key; set 'security: []'");
            }
            for (String name : pathParams(op.path())) {
                if (!declaresPathParam(op, name)) {
                    problems.add(op.key() + ": path parameter '" + name + "' is not declared (in: path, required: true)");
                }
            }
        }
        assertThat(problems).as("problems in %s", specFile).isEmpty();
    }

    /** The router serves no API route without a key but the signed Stripe webhook (the document aside). */
    @Test
    void onlyTheSignedStripeWebhookIsAnApiRouteWithoutAKey() {
        List<String> keyless = new ArrayList<>();
        for (Route route : t.server.routeTable()) {
            String key = route.method() + " " + route.template();
            if (route.scope().isEmpty() && (route.template().startsWith("/v1") || route.template().startsWith("/api/"))) {
                keyless.add(key);
            }
        }
        assertThat(keyless).containsExactlyElementsOf(SIGNED_NOT_KEYED);
    }

    @Test
    void everyLocalReferenceResolves() {
        List<String> broken = new ArrayList<>();
        collectRefs(spec, "", broken);
        assertThat(broken).as("$refs in %s that point nowhere", specFile).isEmpty();
    }

    /** What the document says about auth is what the server does: /v1 refuses a request without a key. */
    @Test
    void theServerEnforcesTheDocumentedSecurity() {
        List<String> mismatches = new ArrayList<>();
        for (Operation op : operations()) {
            String path = PATH_PARAM.matcher(op.path()).replaceAll("x");
            String method = op.method().toUpperCase(Locale.ROOT);
            TestServer.Reply r = t.send(method, path, "application/json", method.equals("GET") ? null : "{}", null);
            boolean documentedBearer = requiresBearer(op.node().has("security") ? op.node().get("security")
                    : spec.path("security"));
            if (documentedBearer && r.status() != 401) {
                mismatches.add(op.key() + " without a key answered " + r.status() + ", not 401");
            }
            if (!documentedBearer && (r.status() == 401 || r.status() == 403)) {
                mismatches.add(op.key() + " is documented without security but answered " + r.status());
            }
        }
        assertThat(mismatches).isEmpty();
    }

    private static boolean hasSuccess(JsonNode responses) {
        for (Iterator<String> it = responses.fieldNames(); it.hasNext(); ) {
            if (it.next().startsWith("2")) {
                return true;
            }
        }
        return false;
    }

    private static boolean requiresBearer(JsonNode security) {
        if (security == null || !security.isArray() || security.isEmpty()) {
            return false;
        }
        // every alternative must include bearerAuth, otherwise some request could go without it
        for (JsonNode alternative : security) {
            if (!alternative.has("bearerAuth")) {
                return false;
            }
        }
        return true;
    }

    private static List<String> pathParams(String path) {
        List<String> out = new ArrayList<>();
        Matcher m = PATH_PARAM.matcher(path);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static boolean declaresPathParam(Operation op, String name) {
        List<JsonNode> params = new ArrayList<>();
        op.pathItem().path("parameters").forEach(params::add);
        op.node().path("parameters").forEach(params::add);
        for (JsonNode p : params) {
            JsonNode resolved = resolve(p);
            if (resolved != null && name.equals(resolved.path("name").asText())
                    && "path".equals(resolved.path("in").asText()) && resolved.path("required").asBoolean(false)) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode resolve(JsonNode node) {
        if (!node.has("$ref")) {
            return node;
        }
        String ref = node.get("$ref").asText();
        if (!ref.startsWith("#/")) {
            return null;
        }
        JsonNode target = spec.at(ref.substring(1));
        return target.isMissingNode() ? null : target;
    }

    private static void collectRefs(JsonNode node, String where, List<String> broken) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual()) {
                String r = ref.asText();
                if (!r.startsWith("#/") || spec.at(r.substring(1)).isMissingNode()) {
                    broken.add(where + " -> " + r);
                }
            }
            node.fields().forEachRemaining(e -> collectRefs(e.getValue(), where + "/" + e.getKey(), broken));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectRefs(node.get(i), where + "/" + i, broken);
            }
        }
    }
}
