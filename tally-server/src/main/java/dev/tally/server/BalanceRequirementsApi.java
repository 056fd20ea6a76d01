package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.Engine;
import dev.tally.engine.credit.live.BalanceRequirements;
import java.io.IOException;

/** Features that require a positive live credit balance: list, set, read and remove, by feature key. */
final class BalanceRequirementsApi {
    private final BalanceRequirements requirements;
    private final ObjectMapper mapper;

    BalanceRequirementsApi(Engine engine, ObjectMapper mapper) {
        this.requirements = engine.liveCredits().requirements();
        this.mapper = mapper;
    }

    void list(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        ArrayNode list = out.putArray("balance_requirements");
        requirements.list(r.tenant()).forEach(x -> list.add(BalanceRequirements.json(x)));
        Responses.json(r.exchange, 200, out, mapper);
    }

    void get(Request r) throws IOException {
        Responses.json(r.exchange, 200, BalanceRequirements.json(requirements.get(r.tenant(), r.path("feature"))
                .orElseThrow(() -> HttpError.notFound("feature '" + r.path("feature")
                        + "' has no balance requirement"))), mapper);
    }

    void put(Request r) throws IOException {
        Responses.json(r.exchange, 200, BalanceRequirements.json(requirements.put(r.tenant(), r.path("feature"),
                JsonBody.read(r, BillingApi.MAX_BODY))), mapper);
    }

    void delete(Request r) throws IOException {
        requirements.delete(r.tenant(), r.path("feature"));
        Responses.send(r.exchange, 204, "application/json", new byte[0]);
    }
}
