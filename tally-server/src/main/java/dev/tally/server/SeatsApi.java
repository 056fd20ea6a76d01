package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.billing.seat.QuantityChange;
import dev.tally.core.billing.seat.QuantityHistory;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.seats.SubscriptionQuantities;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Seats over HTTP: {@code POST /v1/subscriptions/{id}/quantities} records a change of a licensed charge's quantity
 * (an immutable fact, effective from {@code effective_at}); {@code GET} lists the history, optionally of one
 * {@code charge}, with the quantities in force now. The rules are {@link SubscriptionQuantities}'.
 */
final class SeatsApi {
    private final Engine engine;
    private final SubscriptionQuantities quantities;
    private final ObjectMapper mapper;

    SeatsApi(Engine engine, ObjectMapper mapper) {
        this.engine = engine;
        this.quantities = engine.billing().quantities();
        this.mapper = mapper;
    }

    void record(Request r) throws IOException {
        QuantityChange c = quantities.record(r.tenant(), r.path("id"), JsonBody.read(r, BillingApi.MAX_BODY));
        Responses.json(r.exchange, 201, write(c, r.path("id")), mapper);
    }

    void list(Request r) throws IOException {
        String id = r.path("id");
        QuantityHistory history = quantities.history(r.tenant(), id);
        Optional<String> charge = r.param("charge");
        List<QuantityChange> changes = charge.map(history::of).orElse(history.changes());
        Instant now = engine.clock().instant();
        ObjectNode out = mapper.createObjectNode();
        out.put("subscription", id);
        Map<String, BigDecimal> current = new TreeMap<>();
        changes.forEach(c -> current.put(c.charge(), history.quantityAt(c.charge(), now)));
        ObjectNode inForce = out.putObject("current");
        current.forEach((k, v) -> inForce.put(k, v.toPlainString()));
        ArrayNode list = out.putArray("quantities");
        changes.forEach(c -> list.add(write(c, id)));
        Responses.json(r.exchange, 200, out, mapper);
    }

    private ObjectNode write(QuantityChange c, String subscription) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", c.id());
        o.put("subscription", subscription);
        o.put("charge", c.charge());
        o.put("quantity", c.quantity().toPlainString());
        o.put("effective_at", c.effectiveAt().toString());
        o.put("recorded_at", c.recordedAt().toString());
        o.put("sequence", c.sequence());
        return o;
    }
}
