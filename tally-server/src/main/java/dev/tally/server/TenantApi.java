package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.Engine;
import dev.tally.engine.tenant.TenantSettings;
import dev.tally.engine.tenant.TenantSettingsJson;
import java.io.IOException;

/** {@code GET/PATCH /v1/tenant}: the calling key's tenant's seller settings (what its invoices say about it). */
final class TenantApi {
    /** A patch may carry a logo of 256 KiB as base64 (about 342 KiB) and the texts. */
    static final int MAX_BODY = 512 * 1024;

    private final Engine engine;
    private final ObjectMapper mapper;

    TenantApi(Engine engine, ObjectMapper mapper) {
        this.engine = engine;
        this.mapper = mapper;
    }

    void get(Request r) throws IOException {
        Responses.json(r.exchange, 200, json(engine, r.tenant(), engine.tenantSettings().get(r.tenant())), mapper);
    }

    void patch(Request r) throws IOException {
        JsonNode body = JsonBody.read(r, MAX_BODY);
        TenantSettings s = engine.tenantSettings().patch(r.tenant(), body);
        Responses.json(r.exchange, 200, json(engine, r.tenant(), s), mapper);
    }

    /** The seller as invoices show it: the settings plus the tenant's id and name. */
    static ObjectNode seller(Engine engine, String tenant) {
        return json(engine, tenant, engine.tenantSettings().get(tenant));
    }

    private static ObjectNode json(Engine engine, String tenant, TenantSettings s) {
        ObjectNode o = TenantSettingsJson.write(s);
        ObjectNode out = o.objectNode();
        out.put("id", tenant);
        out.put("name", engine.tenantSettings().name(tenant));
        out.setAll(o);
        return out;
    }
}
