package dev.tally.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.engine.Engine;
import dev.tally.engine.Reconciliation;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/** Health, Prometheus metrics and reconciliation. */
final class OperationsApi {
    private final Engine engine;
    private final ObjectMapper mapper;
    private final ServerMetrics metrics;

    OperationsApi(Engine engine, ObjectMapper mapper, ServerMetrics metrics) {
        this.engine = engine;
        this.mapper = mapper;
        this.metrics = metrics;
    }

    void live(Request r) throws IOException {
        Responses.json(r.exchange, 200, mapper.createObjectNode().put("status", "live"), mapper);
    }

    void ready(Request r) throws IOException {
        boolean ready = engine.ready();
        Responses.json(r.exchange, ready ? 200 : 503,
                mapper.createObjectNode().put("status", ready ? "ready" : "not_ready"), mapper);
    }

    void metrics(Request r) throws IOException {
        Responses.text(r.exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.registry.scrape());
    }

    void reconcile(Request r) throws IOException {
        Instant to = r.instant("to").orElse(engine.clock().instant().plus(Duration.ofMinutes(10)));
        Instant from = r.instant("from").orElse(to.minus(Duration.ofDays(40)));
        if (!from.isBefore(to)) {
            throw HttpError.badRequest("from", "must be before 'to'");
        }
        Reconciliation rec = engine.reconcile(r.tenant(), from, to);
        ObjectNode out = mapper.createObjectNode();
        out.put("from", rec.from().toString());
        out.put("to", rec.to().toString());
        out.put("events_scanned", rec.eventsScanned());
        out.put("states_compared", rec.statesCompared());
        dev.tally.engine.billing.LedgerReconciliation.Result ledger = engine.billing().reconcileLedger(r.tenant());
        out.put("consistent", rec.differences().isEmpty() && ledger.differences().isEmpty());
        ObjectNode l = out.putObject("ledger");
        l.put("wallets", ledger.wallets()).put("entries", ledger.entries()).put("invoices", ledger.invoices())
                .put("consistent", ledger.differences().isEmpty());
        ArrayNode ld = l.putArray("differences");
        ledger.differences().forEach(d -> ld.addObject().put("what", d.what()).put("expected", d.expected())
                .put("found", d.found()));
        ArrayNode diffs = out.putArray("differences");
        for (Reconciliation.Difference d : rec.differences()) {
            diffs.addObject().put("state", d.state()).put("expected", d.expected().toPlainString())
                    .put("live", d.live().toPlainString()).put("expected_events", d.expectedEvents())
                    .put("live_events", d.liveEvents());
        }
        Responses.json(r.exchange, 200, out, mapper);
    }
}
