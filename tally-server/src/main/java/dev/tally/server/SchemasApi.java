package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.input.InstantInput;
import dev.tally.core.input.InvalidInputException;
import dev.tally.core.validation.FieldViolation;
import dev.tally.engine.Engine;
import dev.tally.engine.schema.InvalidSchemaException;
import dev.tally.engine.schema.SchemaChange;
import dev.tally.engine.schema.SchemaConflictException;
import dev.tally.engine.schema.SchemaNotFoundException;
import dev.tally.engine.schema.SchemaVersion;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /v1/event-types/{type}/schemas}: the versioned JSON Schema of an event type. POST adds a version (the latest
 * schema again is a no-op answered 200), GET lists the versions or reads one, DELETE retires the schema by adding a
 * version without one. A document that is not a 2020-12 schema is 422 {@code invalid-schema}. See docs/METERS.md.
 */
final class SchemasApi {
    static final int MAX_BODY = 64 * 1024;
    private static final Set<String> FIELDS = Set.of("schema", "effective_from");

    private final Engine engine;
    private final ObjectMapper mapper;

    SchemasApi(Engine engine, ObjectMapper mapper) {
        this.engine = engine;
        this.mapper = mapper;
    }

    void create(Request r) throws IOException {
        JsonNode body = JsonBody.read(r, MAX_BODY);
        if (!body.isObject()) {
            throw HttpError.badRequest("body", "must be a JSON object with 'schema' (and optionally 'effective_from')");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw HttpError.badRequest(name, "is not a field of a schema version (schema, effective_from)");
            }
        }
        JsonNode schema = body.get("schema");
        if (schema == null || schema.isNull()) {
            throw HttpError.badRequest("schema", "is required: a JSON Schema (draft 2020-12) for the events' data");
        }
        Optional<Instant> from = Optional.ofNullable(body.get("effective_from")).filter(n -> !n.isNull()).map(n -> {
            if (!n.isTextual()) {
                throw HttpError.badRequest("effective_from", "must be an RFC 3339 timestamp");
            }
            try {
                return InstantInput.parse(n.textValue());
            } catch (InvalidInputException e) {
                throw HttpError.badRequest("effective_from", e.problem());
            }
        });
        SchemaChange change = guarded(() -> engine.schemas().add(r.tenant(), r.path("type"), schema, from));
        Responses.json(r.exchange, change.created() ? 201 : 200, write(r.tenant(), change.version()), mapper);
    }

    void retire(Request r) throws IOException {
        SchemaChange change = guarded(() -> engine.schemas().retire(r.tenant(), r.path("type")));
        Responses.json(r.exchange, 200, write(r.tenant(), change.version()), mapper);
    }

    void list(Request r) throws IOException {
        engine.syncWithOthers();
        String type = r.path("type");
        ObjectNode out = mapper.createObjectNode().put("event_type", type);
        engine.schemas().inForce(r.tenant(), type).ifPresentOrElse(v -> out.put("in_force_version", v.version()),
                () -> out.putNull("in_force_version"));
        var versions = out.putArray("versions");
        engine.schemas().versions(r.tenant(), type).forEach(v -> versions.add(write(r.tenant(), v)));
        Responses.json(r.exchange, 200, out, mapper);
    }

    void get(Request r) throws IOException {
        engine.syncWithOthers();
        String type = r.path("type");
        int version;
        try {
            version = Integer.parseInt(r.path("version"));
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("version", "must be a version number (1, 2, ...)");
        }
        SchemaVersion v = engine.schemas().version(r.tenant(), type, version).orElseThrow(() -> HttpError.notFound(
                "event type '" + type + "' has no schema version " + version));
        Responses.json(r.exchange, 200, write(r.tenant(), v), mapper);
    }

    private ObjectNode write(String tenant, SchemaVersion v) {
        ObjectNode o = mapper.createObjectNode().put("event_type", v.eventType()).put("version", v.version());
        v.schema().ifPresentOrElse(s -> o.set("schema", s), () -> o.putNull("schema"));
        o.put("retired", v.retired()).put("effective_from", v.effectiveFrom().toString())
                .put("created_at", v.createdAt().toString())
                .put("in_force", engine.schemas().inForce(tenant, v.eventType())
                        .map(f -> f.version() == v.version()).orElse(false));
        return o;
    }

    /** The engine's schema exceptions as problems: 422 for a document that is no schema, 404, 409. */
    private static <T> T guarded(java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (InvalidSchemaException e) {
            List<FieldViolation> violations = e.problems().stream().map(p -> new FieldViolation("schema", p)).toList();
            throw new HttpError(422, "invalid-schema", "Invalid JSON Schema", e.getMessage(), violations);
        } catch (SchemaNotFoundException e) {
            throw HttpError.notFound(e.getMessage());
        } catch (SchemaConflictException e) {
            throw new HttpError(409, "conflict", "Conflict", e.getMessage());
        }
    }
}
