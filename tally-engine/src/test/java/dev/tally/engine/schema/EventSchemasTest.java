package dev.tally.engine.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.Json;
import dev.tally.core.event.RejectionReason;
import dev.tally.core.time.ManualClock;
import dev.tally.core.validation.ValidationException;
import dev.tally.engine.Engine;
import dev.tally.engine.TestDatabases;
import dev.tally.engine.TestStore;
import dev.tally.engine.ingest.EventStatus;
import dev.tally.engine.ingest.IngestResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Event schemas on the embedded store and on PostgreSQL: versions are appended and survive a restart, the version in
 * force (by arrival time) decides what is rejected, and the rejection names path, keyword and version.
 */
class EventSchemasTest {
    static final String T = Engine.DEFAULT_TENANT;
    static final Instant START = Instant.parse("2026-11-20T12:00:00Z");
    static final String TOKENS = "{\"type\":\"object\",\"required\":[\"tokens\"],\"properties\":{\"tokens\":"
            + "{\"type\":\"integer\",\"minimum\":0},\"model\":{\"enum\":[\"small\",\"big\"]}}}";
    final ObjectMapper json = Json.newMapper();
    final ManualClock clock = new ManualClock(START);
    final List<String> databases = new ArrayList<>();
    int nextId;

    @TempDir
    Path dir;

    static Stream<TestStore> stores() {
        return TestStore.both();
    }

    @AfterEach
    void dropDatabases() {
        databases.forEach(TestDatabases::drop);
    }

    JsonNode tree(String s) throws Exception {
        return json.readTree(s);
    }

    /** Sends one event of {@code type} with {@code data}; its status. */
    EventStatus send(Engine e, String type, String data) {
        String body = "{\"specversion\":\"1.0\",\"id\":\"e" + (nextId++) + "\",\"source\":\"app\",\"type\":\"" + type
                + "\",\"subject\":\"acme\",\"time\":\"" + clock.instant().minusSeconds(60) + "\",\"data\":" + data + "}";
        IngestResult r = e.ingest(T, e.eventReader().read(body.getBytes(StandardCharsets.UTF_8),
                CloudEventReader.BodyShape.SINGLE));
        return r.results().get(0);
    }

    static String reason(EventStatus s) {
        assertThat(s.kind()).isEqualTo(EventStatus.Kind.REJECTED);
        assertThat(s.reason()).contains(RejectionReason.SCHEMA_VIOLATION);
        return s.detail().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void validDataPassesAndEachFailureNamesPathKeywordAndVersion(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            e.schemas().add(T, "llm.tokens", tree(TOKENS), Optional.empty());
            assertThat(send(e, "llm.tokens", "{\"tokens\":12,\"model\":\"big\"}").kind())
                    .isEqualTo(EventStatus.Kind.ACCEPTED);
            assertThat(reason(send(e, "llm.tokens", "{\"tokens\":\"12\"}")))
                    .isEqualTo("$.data.tokens: type: string found, integer expected (schema v1)");
            assertThat(reason(send(e, "llm.tokens", "{\"model\":\"big\"}")))
                    .startsWith("$.data.tokens: required: ").endsWith("(schema v1)");
            assertThat(reason(send(e, "llm.tokens", "{\"tokens\":-1}"))).startsWith("$.data.tokens: minimum: ");
            assertThat(reason(send(e, "llm.tokens", "{\"tokens\":1,\"model\":\"huge\"}")))
                    .startsWith("$.data.model: enum: ");
            assertThat(reason(send(e, "llm.tokens", "{}"))).contains("required");
            // another type has no schema: anything goes
            assertThat(send(e, "api.calls", "{\"tokens\":\"many\"}").kind()).isEqualTo(EventStatus.Kind.ACCEPTED);
            // the rejected events are listed with their reason and type
            assertThat(e.recentRejections(T, Optional.empty(), 10)).hasSize(5)
                    .allSatisfy(r -> {
                        assertThat(r.reason()).isEqualTo("schema_violation");
                        assertThat(r.type()).contains("llm.tokens");
                    });
            assertThat(e.stats().rejected(RejectionReason.SCHEMA_VIOLATION)).isEqualTo(5);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void theVersionInForceAtArrivalDecidesAndEveryVersionIsListedAfterARestart(TestStore store) throws Exception {
        var config = store.config(dir, databases);
        try (Engine e = Engine.open(config, clock)) {
            e.schemas().add(T, "llm.tokens", tree(TOKENS), Optional.empty());
            // v2 accepts tokens as strings too, from one hour on
            SchemaChange v2 = e.schemas().add(T, "llm.tokens", tree("{\"type\":\"object\",\"properties\":{\"tokens\":"
                    + "{\"type\":[\"integer\",\"string\"]}}}"), Optional.of(START.plus(Duration.ofHours(1))));
            assertThat(v2.created()).isTrue();
            assertThat(v2.version().version()).isEqualTo(2);
            assertThat(e.schemas().inForce(T, "llm.tokens").orElseThrow().version()).isEqualTo(1);
            assertThat(reason(send(e, "llm.tokens", "{\"tokens\":\"12\"}"))).endsWith("(schema v1)");
            clock.advance(Duration.ofHours(1));
            assertThat(send(e, "llm.tokens", "{\"tokens\":\"12\"}").kind()).isEqualTo(EventStatus.Kind.ACCEPTED);
            assertThat(reason(send(e, "llm.tokens", "{\"tokens\":true}"))).isEqualTo(
                    "$.data.tokens: type: boolean found, [integer, string] expected (schema v2)");
            SchemaChange retired = e.schemas().retire(T, "llm.tokens");
            assertThat(retired.version().version()).isEqualTo(3);
            assertThat(retired.version().retired()).isTrue();
            assertThat(send(e, "llm.tokens", "{\"tokens\":true}").kind()).isEqualTo(EventStatus.Kind.ACCEPTED);
        }
        try (Engine e = Engine.open(config, clock)) {
            List<SchemaVersion> versions = e.schemas().versions(T, "llm.tokens");
            assertThat(versions).extracting(SchemaVersion::version).containsExactly(1, 2, 3);
            assertThat(versions.get(0).schema()).contains(tree(TOKENS));
            assertThat(versions.get(1).effectiveFrom()).isEqualTo(START.plus(Duration.ofHours(1)));
            assertThat(versions.get(2).retired()).isTrue();
            assertThat(send(e, "llm.tokens", "{\"tokens\":true}").kind()).isEqualTo(EventStatus.Kind.ACCEPTED);
            // a schema after the retirement is the next version, in force at once
            e.schemas().add(T, "llm.tokens", tree(TOKENS), Optional.empty());
            assertThat(reason(send(e, "llm.tokens", "{\"tokens\":true}"))).endsWith("(schema v4)");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void theSameSchemaAgainIsANoOpAndSchemasAreTenantScoped(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            SchemaChange first = e.schemas().add(T, "llm.tokens", tree(TOKENS), Optional.empty());
            clock.advance(Duration.ofMinutes(5));
            // the same document with its keys in another order is the same schema
            SchemaChange again = e.schemas().add(T, "llm.tokens", tree("{\"required\":[\"tokens\"],\"type\":\"object\","
                    + "\"properties\":{\"model\":{\"enum\":[\"small\",\"big\"]},\"tokens\":{\"minimum\":0,"
                    + "\"type\":\"integer\"}}}"), Optional.empty());
            assertThat(again.created()).isFalse();
            assertThat(again.version()).isEqualTo(first.version());
            assertThat(e.schemas().versions(T, "llm.tokens")).hasSize(1);
            assertThatThrownBy(() -> e.schemas().add(T, "llm.tokens", tree(TOKENS),
                    Optional.of(clock.instant().plusSeconds(60)))).isInstanceOf(SchemaConflictException.class);
            assertThat(e.schemas().retire(T, "llm.tokens").created()).isTrue();
            assertThat(e.schemas().retire(T, "llm.tokens").created()).isFalse();
            assertThat(e.schemas().versions(T, "llm.tokens")).hasSize(2);

            e.access().createTenant("other", "Other");
            assertThat(e.schemas().versions("other", "llm.tokens")).isEmpty();
            assertThatThrownBy(() -> e.schemas().retire("other", "llm.tokens"))
                    .isInstanceOf(SchemaNotFoundException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void aDocumentThatIsNotADraft202012SchemaIsRefusedAndNothingIsStored(TestStore store) throws Exception {
        try (Engine e = Engine.open(store.config(dir, databases), clock)) {
            EventSchemas s = e.schemas();
            assertThatThrownBy(() -> s.add(T, "t", tree("{\"type\":\"integr\"}"), Optional.empty()))
                    .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("/type");
            assertThatThrownBy(() -> s.add(T, "t", tree("{\"minimum\":\"zero\"}"), Optional.empty()))
                    .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("/minimum");
            assertThatThrownBy(() -> s.add(T, "t", tree("[1,2]"), Optional.empty()))
                    .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("JSON object");
            assertThatThrownBy(() -> s.add(T, "t", tree("{\"$schema\":\"http://json-schema.org/draft-07/schema#\"}"),
                    Optional.empty())).isInstanceOf(InvalidSchemaException.class).hasMessageContaining("2020-12");
            assertThatThrownBy(() -> s.add(T, "t", tree("{\"pattern\":\"(\"}"), Optional.empty()))
                    .isInstanceOf(InvalidSchemaException.class).hasMessageContaining("pattern");
            assertThatThrownBy(() -> s.add(T, "t", tree("{\"$ref\":\"http://127.0.0.1:1/other.json\"}"),
                    Optional.empty())).isInstanceOf(InvalidSchemaException.class).hasMessageContaining("$ref");
            assertThatThrownBy(() -> s.add(T, "t", tree(TOKENS), Optional.of(START.minusSeconds(1))))
                    .isInstanceOf(ValidationException.class).hasMessageContaining("effective_from");
            assertThat(s.versions(T, "t")).isEmpty();
            // a schema that references itself is fine
            s.add(T, "t", tree("{\"$defs\":{\"n\":{\"type\":\"integer\"}},\"properties\":{\"a\":{\"$ref\":\"#/$defs/n\"}}}"),
                    Optional.empty());
            assertThat(reason(send(e, "t", "{\"a\":\"x\"}"))).isEqualTo("$.data.a: type: string found, integer expected "
                    + "(schema v1)");
        }
    }

    @Test
    void aPatternThatBacktracksForEverRejectsTheEventInsteadOfHoldingTheRequest() throws Exception {
        try (Engine e = Engine.open(dev.tally.engine.EngineConfig.of(dir), clock)) {
            e.schemas().add(T, "t", tree("{\"properties\":{\"s\":{\"type\":\"string\",\"pattern\":\"^(.*a){12}$\"}}}"),
                    Optional.empty());
            assertThat(send(e, "t", "{\"s\":\"" + "a".repeat(12) + "\"}").kind()).isEqualTo(EventStatus.Kind.ACCEPTED);
            assertThat(reason(send(e, "t", "{\"s\":\"b\"}"))).startsWith("$.data.s: pattern: ");
            long started = System.nanoTime();
            assertThat(reason(send(e, "t", "{\"s\":\"" + "a".repeat(40) + "!\"}")))
                    .contains("took too long").endsWith("(schema v1)");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        }
    }
}
