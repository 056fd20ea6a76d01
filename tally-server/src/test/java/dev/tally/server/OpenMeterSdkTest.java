package dev.tally.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenMeter-compatible API driven by the official {@code @openmeter/sdk} from the npm registry: a Node script
 * (src/test/node/openmeter-sdk.mjs, dependencies pinned in its package-lock.json, installed by {@code npm ci},
 * which .ci/run does) creates meters, sends events, lists, gets and queries meters against a server on port 0,
 * and prints what the SDK returned. Under CI=true a missing install fails the test; elsewhere it is skipped.
 */
class OpenMeterSdkTest {
    static TestServer t;
    static JsonNode out;

    @BeforeAll
    static void runTheSdk() throws Exception {
        Path dir = nodeProject();
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("@openmeter").resolve("sdk"))) {
            String why = "the @openmeter/sdk is not installed in " + dir + ": run 'npm ci' there (.ci/run does)";
            if (ci) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        t = new TestServer(Clock.systemUTC());
        String other = t.post("/v1/tenants", "{\"id\":\"other\"}").json().path("admin_key").path("key").asText();
        ProcessBuilder pb = new ProcessBuilder("node", "openmeter-sdk.mjs").directory(dir.toFile());
        pb.environment().put("OPENMETER_URL", "http://localhost:" + t.server.port());
        pb.environment().put("OPENMETER_KEY", TestServer.KEY);
        pb.environment().put("OTHER_TENANT_KEY", other);
        pb.redirectErrorStream(false);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            String why = "cannot run 'node' (Node.js 20 or newer is needed for this test): " + e.getMessage();
            if (ci) {
                fail(why);
            }
            Assumptions.abort(why);
            return;
        }
        p.getOutputStream().close();
        List<String> err = new ArrayList<>();
        Thread errReader = Thread.ofVirtual().start(() -> {
            try {
                err.add(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process ended
            }
        });
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the SDK script did not finish within 60 s");
        }
        errReader.join();
        assertThat(p.exitValue()).as("node openmeter-sdk.mjs failed:%n%s%n%s", stdout, String.join("", err)).isZero();
        String[] lines = stdout.strip().split("\n");
        out = t.mapper.readTree(lines[lines.length - 1]);
    }

    @AfterAll
    static void stop() {
        if (t != null) {
            t.close();
        }
    }

    static Path nodeProject() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("src/test/node/openmeter-sdk.mjs");
            if (Files.isRegularFile(candidate)) {
                return candidate.getParent();
            }
            candidate = d.resolve("tally-server/src/test/node/openmeter-sdk.mjs");
            if (Files.isRegularFile(candidate)) {
                return candidate.getParent();
            }
        }
        throw new AssertionError("tally-server/src/test/node not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void createsMetersInOpenMetersShapeAsTallyMeters() {
        JsonNode m = out.path("created");
        assertThat(m.path("slug").asText()).isEqualTo("tokens_total");
        assertThat(m.path("id").asText()).isEqualTo("tokens_total");
        assertThat(m.path("aggregation").asText()).isEqualTo("SUM");
        assertThat(m.path("eventType").asText()).isEqualTo("prompt");
        assertThat(m.path("valueProperty").asText()).isEqualTo("$.tokens");
        assertThat(m.path("groupBy").path("model").asText()).isEqualTo("$.model");
        assertThat(m.path("createdAt").asText()).isNotEmpty();
        JsonNode own = t.get("/v1/meters/tokens_total").json();
        assertThat(own.path("aggregation").asText()).isEqualTo("sum");
        assertThat(own.path("value_path").asText()).isEqualTo("tokens");
        assertThat(own.path("group_by").path(0).asText()).isEqualTo("model");
        // COUNT ignores valueProperty, as in OpenMeter
        assertThat(t.get("/v1/meters/prompts").json().path("aggregation").asText()).isEqualTo("count");
    }

    @Test
    void refusesWhatItCannotRepresentAndDuplicates() {
        assertThat(out.path("renamedGroupBy").path("status").asInt()).isEqualTo(400);
        assertThat(out.path("renamedGroupBy").path("errors").path(0).path("field").asText()).isEqualTo("groupBy.kind");
        assertThat(out.path("duplicateMeter").path("status").asInt()).isEqualTo(409);
        assertThat(t.get("/v1/meters/bad_group").status()).isEqualTo(404);
    }

    @Test
    void ingestsEventsAsOpenMeterDoesWithNoContent() {
        assertThat(out.path("ingestBatch").isNull()).as("%s", out.path("ingestBatch")).isTrue();
        assertThat(out.path("ingestSingle").isNull()).isTrue();
        assertThat(out.path("ingestRetry").isNull()).as("a retry of the same id is a duplicate, not an error").isTrue();
        JsonNode events = t.get("/v1/events?customer=acme").json().path("events");
        assertThat(events).hasSize(3);
        assertThat(events.findValuesAsText("source")).contains("@openmeter/sdk", "sdk-test");
    }

    @Test
    void anInvalidEventFailsTheRequestAndStoresNothingOfIt() {
        JsonNode invalid = out.path("ingestInvalid");
        assertThat(invalid.path("status").asInt()).isEqualTo(400);
        assertThat(invalid.path("type").asText()).endsWith("/invalid-events");
        assertThat(invalid.path("errors").path(0).path("field").asText()).startsWith("events[1]");
        assertThat(invalid.path("errors").path(0).path("message").asText()).startsWith("missing_subject");
        JsonNode unmeterable = out.path("ingestUnmeterable");
        assertThat(unmeterable.path("status").asInt()).isEqualTo(400);
        assertThat(unmeterable.path("errors").path(0).path("message").asText()).startsWith("value_missing");
    }

    @Test
    void listsAndGetsMeters() {
        assertThat(out.path("list").findValuesAsText("slug")).containsExactly("prompts", "tokens_total");
        assertThat(out.path("list").path(0).path("aggregation").asText()).isEqualTo("COUNT");
        assertThat(out.path("list").path(0).path("createdAt").asBoolean()).as("decoded as a Date by the SDK").isTrue();
        assertThat(out.path("secondPage").path(0).asText()).isEqualTo("tokens_total");
        assertThat(out.path("listUnknownParam").path("status").asInt()).isEqualTo(400);
        assertThat(out.path("listUnknownParam").path("errors").path(0).path("field").asText()).isEqualTo("limit");
        assertThat(out.path("got").path("slug").asText()).isEqualTo("tokens_total");
        assertThat(out.path("missing").path("status").asInt()).isEqualTo(404);
    }

    @Test
    void queriesAnswerNumericValuesPerSubjectAndGroup() {
        JsonNode total = out.path("total");
        assertThat(total).hasSize(1);
        assertThat(total.path(0).path("valueType").asText()).isEqualTo("number");
        assertThat(total.path(0).path("value").decimalValue()).isEqualByComparingTo("1517.5");
        assertThat(total.path(0).path("subject").isNull()).isTrue();

        JsonNode byModel = out.path("acmeByModel");
        assertThat(byModel).hasSize(2);
        for (JsonNode row : byModel) {
            assertThat(row.path("subject").asText()).isEqualTo("acme");
            String model = row.path("groupBy").path("model").asText();
            assertThat(row.path("value").decimalValue()).isEqualByComparingTo(model.equals("big") ? "1210" : "300.5");
        }
        JsonNode bySubject = out.path("bySubject");
        assertThat(bySubject.findValuesAsText("subject")).containsExactly("acme", "globex");
        assertThat(bySubject.path(1).path("value").decimalValue()).isEqualByComparingTo("7");
        JsonNode big = out.path("bigOnly");
        assertThat(big.path(0).path("value").decimalValue()).isEqualByComparingTo("1210");
        assertThat(big.path(1).path("value").decimalValue()).isEqualByComparingTo("7");

        JsonNode hourly = out.path("hourly");
        assertThat(hourly.path("windowSize").asText()).isEqualTo("HOUR");
        assertThat(hourly.path("rows")).hasSize(1);
        assertThat(hourly.path("rows").path(0).path("windowStart").asText()).isEqualTo(hourly.path("from").asText());
        assertThat(hourly.path("rows").path(0).path("value").decimalValue()).isEqualByComparingTo("1510.5");

        JsonNode prompts = out.path("prompts");
        assertThat(prompts.findValuesAsText("subject")).containsExactly("acme", "globex", "nobody");
        assertThat(prompts.findValues("value").stream().map(JsonNode::asInt).toList()).containsExactly(3, 1, 0);
        // the same figures through Tally's own API
        assertThat(t.get("/v1/meters/tokens_total/usage?customer=acme&from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z")
                .json().path("rows").path(0).path("value").asText()).isEqualTo("1510.5");
    }

    @Test
    void validatesTheQuerysOwnParameters() {
        assertThat(out.path("minute").path("status").asInt()).isEqualTo(400);
        assertThat(out.path("minute").path("errors").path(0).path("field").asText()).isEqualTo("windowSize");
        assertThat(out.path("unknownParam").path("status").asInt()).isEqualTo(400);
        assertThat(out.path("unknownParam").path("errors").path(0).path("field").asText()).isEqualTo("customer");
        assertThat(out.path("unknownGroupBy").path("status").asInt()).isEqualTo(400);
        assertThat(out.path("unknownGroupBy").path("errors").path(0).path("field").asText()).isEqualTo("groupBy");
    }

    @Test
    void anotherTenantsKeySeesNoneOfIt() {
        assertThat(out.path("otherTenantMeters").isArray()).isTrue();
        assertThat(out.path("otherTenantMeters")).isEmpty();
        assertThat(out.path("otherTenantQuery").path("status").asInt()).isEqualTo(404);
    }
}
