package dev.tally.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.EventOutcome;
import dev.tally.engine.Engine;
import dev.tally.engine.ingest.CancelResult;
import dev.tally.engine.ingest.EventPage;
import dev.tally.engine.ingest.EventQuery;
import dev.tally.engine.ingest.EventStatus;
import dev.tally.engine.ingest.IngestResult;
import dev.tally.engine.ingest.StoredEvent;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@code /v1/events}: ingest (CloudEvents binary, structured or batch), listing, and cancel. */
final class EventsApi {
    private final Engine engine;
    private final ObjectMapper mapper;
    private final Timer ingestTimer;
    private final IngestActivity activity;

    EventsApi(Engine engine, ObjectMapper mapper, Timer ingestTimer, IngestActivity activity) {
        this.engine = engine;
        this.mapper = mapper;
        this.ingestTimer = ingestTimer;
        this.activity = activity;
    }

    void ingest(Request r) throws IOException {
        long started = System.nanoTime();
        IngestResult result = ingest(r, read(r));
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + result.results().size() * 56);
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("accepted", result.accepted());
            g.writeNumberField("duplicates", result.duplicates());
            g.writeNumberField("rejected", result.rejected());
            g.writeArrayFieldStart("results");
            for (EventStatus s : result.results()) {
                g.writeStartObject();
                if (s.id().isPresent()) {
                    g.writeStringField("id", s.id().get());
                }
                if (s.source().isPresent()) {
                    g.writeStringField("source", s.source().get());
                }
                g.writeStringField("status", s.kind().wireName());
                if (s.reason().isPresent()) {
                    g.writeStringField("reason", s.reason().get().code());
                    g.writeStringField("detail", s.detail().orElse(""));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        Responses.send(r.exchange, 200, "application/json", out.toByteArray());
        ingestTimer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * The events of an ingest request, one outcome each, in order: CloudEvents structured or batch mode by the
     * media type, or binary mode (one event, attributes in {@code ce-*} headers, the body as its data).
     */
    List<EventOutcome> read(Request r) throws IOException {
        CloudEventReader reader = engine.eventReader();
        Optional<String> contentType = r.header("Content-Type");
        String media = contentType.orElse("").split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (BinaryCloudEvent.applies(r.exchange.getRequestHeaders(), media)) {
            byte[] body = r.body(reader.limits().maxRequestBytes());
            return List.of(BinaryCloudEvent.read(r.exchange.getRequestHeaders(), contentType, body, reader, mapper));
        }
        CloudEventReader.BodyShape shape = shape(contentType.orElse("application/json"));
        return reader.read(r.body(reader.limits().maxRequestBytes()), shape);
    }

    /** Stores what was read (duplicates and meter checks decided by the engine) and counts it for the overview. */
    IngestResult ingest(Request r, List<EventOutcome> outcomes) {
        IngestResult result = engine.ingest(r.tenant(), Optional.of(r.principal.keyId()), outcomes);
        activity.record(r.tenant(), result);
        return result;
    }

    static CloudEventReader.BodyShape shape(String contentType) {
        String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return switch (media) {
            case "application/cloudevents+json" -> CloudEventReader.BodyShape.SINGLE;
            case "application/cloudevents-batch+json" -> CloudEventReader.BodyShape.BATCH;
            case "application/json", "" -> CloudEventReader.BodyShape.EITHER;
            default -> throw new HttpError(415, "unsupported-media-type", "Unsupported media type",
                    "send application/cloudevents+json, application/cloudevents-batch+json or application/json,"
                            + " or one event in binary mode (its attributes as ce-* headers, its data as the body)");
        };
    }

    void list(Request r) throws IOException {
        EventQuery q = new EventQuery(r.param("customer"), r.param("type"), r.instant("from"), r.instant("to"),
                r.param("cursor"), r.integer("limit", 1, EventQuery.MAX_LIMIT).orElse(100));
        EventPage page = engine.events(r.tenant(), q);
        ObjectNode out = mapper.createObjectNode();
        ArrayNode events = out.putArray("events");
        for (StoredEvent e : page.events()) {
            events.add(write(e));
        }
        page.nextCursor().ifPresentOrElse(c -> out.put("next_cursor", c), () -> out.putNull("next_cursor"));
        Responses.json(r.exchange, 200, out, mapper);
    }

    ObjectNode write(StoredEvent e) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", e.event().id());
        o.put("source", e.event().source());
        o.put("type", e.event().type());
        o.put("subject", e.event().subject());
        o.put("time", e.event().time().toString());
        o.put("received_at", e.receivedAt().toString());
        o.put("cancelled", e.cancelled());
        o.set("data", e.event().data());
        return o;
    }

    void cancel(Request r) throws IOException {
        CancelResult c = engine.cancel(r.tenant(), r.path("source"), r.path("id"));
        ObjectNode out = mapper.createObjectNode();
        out.put("source", c.source());
        out.put("id", c.id());
        out.put("status", c.alreadyCancelled() ? "already_cancelled" : "cancelled");
        out.put("event_time", c.eventTime().toString());
        Responses.json(r.exchange, 200, out, mapper);
    }

    void rejected(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        ArrayNode list = out.putArray("rejected");
        for (var x : engine.recentRejections(r.tenant(), r.param("customer"), r.integer("limit", 1, 1000).orElse(100))) {
            ObjectNode o = list.addObject();
            o.put("received_at", x.receivedAt().toString());
            x.id().ifPresentOrElse(v -> o.put("id", v), () -> o.putNull("id"));
            x.source().ifPresentOrElse(v -> o.put("source", v), () -> o.putNull("source"));
            x.type().ifPresentOrElse(v -> o.put("type", v), () -> o.putNull("type"));
            x.subject().ifPresentOrElse(v -> o.put("subject", v), () -> o.putNull("subject"));
            o.put("reason", x.reason());
            o.put("detail", x.detail());
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    /** The subjects of stored events that match no customer (none, or an archived one): never billed. */
    void unmatchedSubjects(Request r) throws IOException {
        int limit = r.integer("limit", 1, 10_000).orElse(100);
        java.util.List<dev.tally.engine.usage.SubjectActivity> all = engine.unmatchedSubjects().list(r.tenant());
        ObjectNode out = mapper.createObjectNode();
        out.put("subjects_total", all.size());
        out.put("events_total", all.stream().mapToLong(dev.tally.engine.usage.SubjectActivity::events).sum());
        ArrayNode list = out.putArray("subjects");
        for (dev.tally.engine.usage.SubjectActivity a : all.subList(0, Math.min(limit, all.size()))) {
            list.addObject().put("subject", a.subject()).put("events", a.events())
                    .put("first_seen", a.firstSeen().toString()).put("last_seen", a.lastSeen().toString());
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    void types(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        ArrayNode types = out.putArray("event_types");
        engine.eventsByType(r.tenant()).forEach((type, n) -> types.addObject()
                .put("type", type).put("events", n).put("metered", engine.typeIsMetered(r.tenant(), type)));
        Responses.json(r.exchange, 200, out, mapper);
    }
}
