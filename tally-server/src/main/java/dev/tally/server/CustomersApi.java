package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.CustomerJson;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.CustomerRecord;
import dev.tally.engine.billing.CustomerRecords;
import dev.tally.engine.billing.CustomerVersion;
import java.io.IOException;
import java.time.Instant;

/**
 * Corrections to customers: {@code PATCH /v1/customers/{id}} (the fields to change), {@code DELETE} (archives a
 * customer without an open subscription) and {@code GET /v1/customers/{id}/versions} (every version). The rules are
 * {@link CustomerRecords}'.
 */
final class CustomersApi {
    private final Engine engine;
    private final CustomerRecords records;
    private final ObjectMapper mapper;

    CustomersApi(Engine engine, ObjectMapper mapper) {
        this.engine = engine;
        this.records = engine.billing().customerRecords();
        this.mapper = mapper;
    }

    /** A customer's JSON form with its bookkeeping: version, times, archive, a pending time zone. */
    static ObjectNode write(CustomerRecord rec, Instant now) {
        ObjectNode o = CustomerJson.write(rec.inForce(now));
        o.put("version", rec.version());
        o.put("created_at", rec.createdAt().toString());
        rec.updatedAt().ifPresentOrElse(t -> o.put("updated_at", t.toString()), () -> o.putNull("updated_at"));
        rec.archivedAt().ifPresentOrElse(t -> o.put("archived_at", t.toString()), () -> o.putNull("archived_at"));
        rec.pendingAt(now).ifPresentOrElse(p -> o.putObject("pending_timezone").put("timezone", p.timezone().getId())
                .put("effective_at", p.effectiveAt().toString()), () -> o.putNull("pending_timezone"));
        return o;
    }

    void patch(Request r) throws IOException {
        JsonNode body = JsonBody.read(r, BillingApi.MAX_BODY);
        CustomerRecord rec = records.update(r.tenant(), r.path("external_id"), body);
        Responses.json(r.exchange, 200, write(rec, engine.clock().instant()), mapper);
    }

    void archive(Request r) throws IOException {
        CustomerRecord rec = records.archive(r.tenant(), r.path("external_id"));
        Responses.json(r.exchange, 200, write(rec, engine.clock().instant()), mapper);
    }

    void versions(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        out.put("customer", r.path("external_id"));
        ArrayNode list = out.putArray("versions");
        for (CustomerVersion v : records.versions(r.tenant(), r.path("external_id"))) {
            ObjectNode o = list.addObject();
            o.put("version", v.version());
            o.put("change", v.change());
            ArrayNode fields = o.putArray("fields");
            v.fields().forEach(fields::add);
            o.put("changed_at", v.changedAt().toString());
            o.set("customer", v.customer());
        }
        Responses.json(r.exchange, 200, out, mapper);
    }
}
