package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.Engine;
import dev.tally.engine.billing.Billing;
import dev.tally.engine.billing.Subscription;
import dev.tally.engine.billing.commit.Commitment;
import dev.tally.engine.billing.commit.CommitmentJson;
import dev.tally.engine.billing.commit.Commitments;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/**
 * A subscription's commitments over HTTP: list (optionally of one type), make one (a minimum per period or a prepaid
 * commitment over a term), and read one with its ledger. See docs/COMMITMENTS.md.
 */
final class CommitmentsApi {
    private final Billing billing;
    private final Commitments commitments;
    private final Clock clock;
    private final ObjectMapper mapper;

    CommitmentsApi(Engine engine, ObjectMapper mapper) {
        this.billing = engine.billing();
        this.commitments = billing.commitments();
        this.clock = engine.clock();
        this.mapper = mapper;
    }

    void list(Request r) throws IOException {
        Subscription s = billing.subscription(r.tenant(), r.path("id"));
        Optional<Commitment.Type> type = r.param("type").map(t -> Commitment.Type.fromWireName(t)
                .orElseThrow(() -> HttpError.badRequest("type", "must be minimum or prepaid")));
        ObjectNode out = mapper.createObjectNode();
        out.put("subscription", s.id());
        ArrayNode list = out.putArray("commitments");
        for (Commitment m : commitments.of(r.tenant(), s.id())) {
            if (type.isEmpty() || type.get() == m.type()) {
                list.add(CommitmentJson.write(m, commitments.ledger(m), clock.instant()));
            }
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    void create(Request r) throws IOException {
        Subscription s = billing.subscription(r.tenant(), r.path("id"));
        Commitment m = commitments.create(r.tenant(), s, JsonBody.read(r, BillingApi.MAX_BODY),
                "api_key:" + r.principal.keyId());
        Responses.json(r.exchange, 201, CommitmentJson.write(m, commitments.ledger(m), clock.instant()), mapper);
    }

    void get(Request r) throws IOException {
        Subscription s = billing.subscription(r.tenant(), r.path("id"));
        Commitment m = commitments.get(r.tenant(), s.id(), r.path("commitment_id"));
        Responses.json(r.exchange, 200, CommitmentJson.write(m, commitments.ledger(m), clock.instant()), mapper);
    }
}
