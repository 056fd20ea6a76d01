package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every route declares the query parameters it accepts; any other is a 400 {@code unknown-parameter} that
 * names it, on every route (a filter that were silently ignored would answer with everyone's data).
 */
class QueryParametersTest {
    TestServer t;
    String portalToken;

    @BeforeEach
    void start() throws IOException {
        t = new TestServer(new MutableClock(Instant.parse("2026-11-20T10:00:00Z")));
        t.post("/v1/customers", "{\"external_id\":\"acme\",\"timezone\":\"UTC\",\"currency\":\"USD\"}");
        portalToken = t.post("/v1/customers/acme/portal-tokens", "{\"ttl_seconds\":600}").json().get("token").asText();
    }

    @AfterEach
    void stop() {
        t.close();
    }

    @Test
    void everyRouteRefusesAnUnknownParameterNamingIt() {
        List<String> failures = new ArrayList<>();
        List<Route> table = t.server.routeTable();
        assertThat(table).hasSizeGreaterThan(60);
        for (Route route : table) {
            String path = route.template().replaceAll("\\{[^}]+}", "x");
            String key = route.scope().map(s -> s.equals(Auth.PORTAL) ? portalToken : TestServer.KEY).orElse(null);
            for (String unknown : List.of("tally_no_such_parameter", "subject_typo", "filter")) {
                if (route.query().accepts(unknown)) {
                    continue;
                }
                TestServer.Reply r = t.send(route.method(), path + "?" + unknown + "=acme", null, null, key);
                String where = route.method() + " " + route.template() + "?" + unknown;
                if (r.status() != 400 || r.json() == null) {
                    failures.add(where + " -> " + r.status() + " " + r.body());
                    continue;
                }
                JsonNode p = r.json();
                if (!p.path("type").asText().equals(Responses.PROBLEM_BASE + "unknown-parameter")
                        || !p.path("detail").asText().contains("'" + unknown + "'")
                        || !p.path("errors").path(0).path("field").asText().equals(unknown)) {
                    failures.add(where + " -> " + r.body());
                }
            }
        }
        assertThat(failures).as("routes that do not refuse an unknown query parameter").isEmpty();
    }

    @Test
    void aMisnamedCustomerFilterIsRefusedNotIgnored() {
        TestServer.Reply r = t.get("/v1/events?subject=acme");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).contains("'subject'").contains("customer");
        assertThat(t.get("/v1/events?customer=acme").status()).isEqualTo(200);
    }

    @Test
    void declaredParametersAndFamiliesStillWork() {
        t.post("/v1/meters", "{\"key\":\"calls\",\"event_type\":\"api.call\",\"aggregation\":\"count\",\"group_by\":[\"region\",\"model\"]}");
        TestServer.Reply usage = t.get("/v1/meters/calls/usage?customer=acme&window=day&tz=UTC&group_by=region"
                + "&filter%5Bregion%5D=eu&filter%5Bmodel%5D=big");
        assertThat(usage.status()).as(usage.body()).isEqualTo(200);
        assertThat(t.get("/v1/meters/calls/usage?subject=acme").status()).isEqualTo(200);
        assertThat(t.get("/v1/meters/calls/usage?filter%5B%5D=eu").status()).isEqualTo(400);
        assertThat(t.get("/v1/invoices?customer=acme&status=draft&limit=5").status()).isEqualTo(200);
        assertThat(t.get("/v1/meters?limit=5").status()).isEqualTo(400);
    }

    @Test
    void declarationsParseNamesAndFamilies() {
        QueryParams q = QueryParams.of("customer", "filter[*]");
        assertThat(q.accepts("customer")).isTrue();
        assertThat(q.accepts("filter[region]")).isTrue();
        assertThat(q.accepts("filter[]")).isFalse();
        assertThat(q.accepts("filter")).isFalse();
        assertThat(q.accepts("filterx]")).isFalse();
        assertThat(q.firstUnknown(List.of("customer", "subject", "x"))).contains("subject");
        assertThat(QueryParams.NONE.accepts("anything")).isFalse();
    }
}
