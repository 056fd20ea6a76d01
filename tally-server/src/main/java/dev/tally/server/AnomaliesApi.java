package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.anomaly.Anomalies;
import dev.tally.engine.anomaly.Anomaly;
import dev.tally.engine.anomaly.AnomalyConflictException;
import dev.tally.engine.anomaly.AnomalyKind;
import dev.tally.engine.anomaly.AnomalyNotFoundException;
import dev.tally.engine.anomaly.AnomalyPage;
import dev.tally.engine.anomaly.AnomalyPolicy;
import dev.tally.engine.anomaly.AnomalyQuery;
import dev.tally.engine.anomaly.AnomalyStatus;
import dev.tally.engine.anomaly.InvalidAnomalyCursorException;
import java.io.IOException;
import java.util.Optional;

/**
 * Anomalies ({@code GET /v1/anomalies}, newest first, filtered by status, customer, kind and detection time, paged
 * by an opaque cursor; {@code GET /v1/anomalies/{id}}), their review ({@code POST .../acknowledge},
 * {@code .../dismiss}: idempotent, 409 when it contradicts the review made) and the tenant's detection policy
 * ({@code GET/PUT /v1/anomaly-policy}). See docs/ANOMALIES.md.
 */
final class AnomaliesApi {
    private static final int MAX_BODY = 16 * 1024;
    private final Anomalies anomalies;
    private final ObjectMapper mapper;

    AnomaliesApi(Anomalies anomalies, ObjectMapper mapper) {
        this.anomalies = anomalies;
        this.mapper = mapper;
    }

    void list(Request r) throws IOException {
        Optional<AnomalyStatus> status = r.param("status").map(s -> AnomalyStatus.fromWireName(s)
                .orElseThrow(() -> HttpError.badRequest("status", "must be open, acknowledged or dismissed")));
        Optional<AnomalyKind> kind = r.param("kind").map(s -> AnomalyKind.fromWireName(s)
                .orElseThrow(() -> HttpError.badRequest("kind", "is not a kind of anomaly")));
        AnomalyQuery q = new AnomalyQuery(status, r.param("customer"), kind, r.instant("from"), r.instant("to"),
                r.param("cursor"), r.integer("limit", 1, AnomalyQuery.MAX_LIMIT).orElse(100));
        AnomalyPage page;
        try {
            page = anomalies.list(r.tenant(), q);
        } catch (InvalidAnomalyCursorException e) {
            throw HttpError.badRequest("cursor", "is not a cursor this endpoint returned");
        }
        ObjectNode o = mapper.createObjectNode();
        ArrayNode list = o.putArray("anomalies");
        page.anomalies().forEach(a -> list.add(write(a)));
        page.next().ifPresentOrElse(n -> o.put("next_cursor", n), () -> o.putNull("next_cursor"));
        Responses.json(r.exchange, 200, o, mapper);
    }

    void get(Request r) throws IOException {
        try {
            Responses.json(r.exchange, 200, write(anomalies.get(r.tenant(), r.path("id"))), mapper);
        } catch (AnomalyNotFoundException e) {
            throw HttpError.notFound(e.getMessage());
        }
    }

    void acknowledge(Request r) throws IOException {
        review(r, true);
    }

    void dismiss(Request r) throws IOException {
        review(r, false);
    }

    private void review(Request r, boolean acknowledge) throws IOException {
        Optional<String> by = Optional.of(r.principal.keyId());
        Anomaly a;
        try {
            a = acknowledge ? anomalies.acknowledge(r.tenant(), r.path("id"), by)
                    : anomalies.dismiss(r.tenant(), r.path("id"), by);
        } catch (AnomalyNotFoundException e) {
            throw HttpError.notFound(e.getMessage());
        } catch (AnomalyConflictException e) {
            throw new HttpError(409, "anomaly-already-reviewed", "Conflict", e.getMessage());
        }
        Responses.json(r.exchange, 200, write(a), mapper);
    }

    void getPolicy(Request r) throws IOException {
        Responses.json(r.exchange, 200, anomalies.policy(r.tenant()).toJson(), mapper);
    }

    void putPolicy(Request r) throws IOException {
        AnomalyPolicy p = AnomalyPolicy.read(JsonBody.object(r, MAX_BODY));
        Responses.json(r.exchange, 200, anomalies.putPolicy(r.tenant(), p).toJson(), mapper);
    }

    private ObjectNode write(Anomaly a) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", a.id());
        o.put("kind", a.kind().wireName());
        o.put("status", a.status().wireName());
        o.put("active", a.active());
        a.customer().ifPresentOrElse(v -> o.put("customer", v), () -> o.putNull("customer"));
        a.meter().ifPresentOrElse(v -> o.put("meter", v), () -> o.putNull("meter"));
        a.subject().ifPresentOrElse(v -> o.put("subject", v), () -> o.putNull("subject"));
        ObjectNode w = o.putObject("window");
        w.put("start", a.windowStart().toString());
        a.windowEnd().ifPresentOrElse(v -> w.put("end", v.toString()), () -> w.putNull("end"));
        o.put("observed", a.observed().toPlainString());
        o.put("expected", a.expected().toPlainString());
        o.put("score", a.score().toPlainString());
        o.put("method", a.method());
        o.put("hold", a.hold().wireName());
        o.put("detected_at", a.detectedAt().toString());
        o.put("last_seen_at", a.lastSeenAt().toString());
        a.reviewedAt().ifPresentOrElse(v -> o.put("reviewed_at", v.toString()), () -> o.putNull("reviewed_at"));
        a.reviewedBy().ifPresentOrElse(v -> o.put("reviewed_by", v), () -> o.putNull("reviewed_by"));
        return o;
    }
}
