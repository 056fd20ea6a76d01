package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.audit.AuditLog;
import dev.tally.engine.audit.AuditPage;
import dev.tally.engine.audit.AuditQuery;
import dev.tally.engine.audit.AuditRecord;
import dev.tally.engine.audit.InvalidAuditCursorException;
import java.io.IOException;

/**
 * {@code GET /v1/audit}: the caller's tenant's audit records, oldest first, filtered by resource, id, actor and time
 * range [from, to), paged by an opaque cursor ({@code next_cursor}, absent on the last page).
 */
final class AuditApi {
    private final AuditLog audit;
    private final ObjectMapper mapper;

    AuditApi(AuditLog audit, ObjectMapper mapper) {
        this.audit = audit;
        this.mapper = mapper;
    }

    void list(Request r) throws IOException {
        AuditQuery q = new AuditQuery(r.param("resource"), r.param("id"), r.param("actor"), r.instant("from"),
                r.instant("to"), r.param("cursor"), r.integer("limit", 1, AuditQuery.MAX_LIMIT).orElse(100));
        AuditPage page;
        try {
            page = audit.query(r.tenant(), q);
        } catch (InvalidAuditCursorException e) {
            throw HttpError.badRequest("cursor", "is not a cursor this endpoint returned");
        }
        ObjectNode o = mapper.createObjectNode();
        ArrayNode records = o.putArray("records");
        page.records().forEach(rec -> records.add(write(rec)));
        page.next().ifPresent(n -> o.put("next_cursor", n));
        Responses.json(r.exchange, 200, o, mapper);
    }

    private ObjectNode write(AuditRecord rec) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", rec.id());
        o.put("at", rec.at().toString());
        ObjectNode actor = o.putObject("actor");
        actor.put("type", rec.actor().kind());
        rec.actor().id().ifPresentOrElse(v -> actor.put("id", v), () -> actor.putNull("id"));
        rec.actor().name().ifPresentOrElse(v -> actor.put("name", v), () -> actor.putNull("name"));
        o.put("resource", rec.resource());
        o.put("resource_id", rec.resourceId());
        rec.version().ifPresentOrElse(v -> o.put("version", v), () -> o.putNull("version"));
        o.put("action", rec.action());
        rec.requestId().ifPresentOrElse(v -> o.put("request_id", v), () -> o.putNull("request_id"));
        o.set("patch", rec.patch());
        return o;
    }
}
