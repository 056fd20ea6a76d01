package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.meter.Meter;
import dev.tally.core.meter.MeterJson;
import dev.tally.engine.Engine;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code /v1/meters}: create, read, list, version, and live usage. */
final class MetersApi {
    static final int MAX_BODY = 64 * 1024;

    private final Engine engine;
    private final ObjectMapper mapper;

    MetersApi(Engine engine, ObjectMapper mapper) {
        this.engine = engine;
        this.mapper = mapper;
    }

    private JsonNode body(Request r) throws IOException {
        return JsonBody.read(r, MAX_BODY);
    }

    void create(Request r) throws IOException {
        Meter m = engine.createMeter(r.tenant(), body(r));
        Responses.json(r.exchange, 201, withVersions(r.tenant(), m), mapper);
    }

    void put(Request r) throws IOException {
        Meter m = engine.putMeter(r.tenant(), r.path("key"), body(r));
        Responses.json(r.exchange, 200, withVersions(r.tenant(), m), mapper);
    }

    void get(Request r) throws IOException {
        engine.syncWithOthers();
        Meter m = engine.meters(r.tenant()).latest(r.path("key"))
                .orElseThrow(() -> HttpError.notFound("no meter '" + r.path("key") + "'"));
        Responses.json(r.exchange, 200, withVersions(r.tenant(), m), mapper);
    }

    void list(Request r) throws IOException {
        engine.syncWithOthers();
        ObjectNode out = mapper.createObjectNode();
        ArrayNode meters = out.putArray("meters");
        engine.meters(r.tenant()).versionsByKey().keySet().stream().sorted()
                .forEach(k -> meters.add(withVersions(r.tenant(), engine.meters(r.tenant()).latest(k).orElseThrow())));
        Responses.json(r.exchange, 200, out, mapper);
    }

    /**
     * A meter with its versions: each with its {@code effective_from} and when it was created. Version 1 is in
     * force for all events unless created with an {@code effective_from}: then {@code effective_from} is the epoch
     * and {@code for_all_events} is true.
     */
    private ObjectNode withVersions(String tenant, Meter latest) {
        ObjectNode o = MeterJson.write(latest);
        Map<String, Instant> created = engine.meterVersionsCreatedAt(tenant);
        Optional.ofNullable(created.get(latest.key() + "@" + latest.version()))
                .ifPresentOrElse(t -> o.put("created_at", t.toString()), () -> o.putNull("created_at"));
        o.put("for_all_events", latest.effectiveFrom().equals(Instant.EPOCH));
        ArrayNode versions = o.putArray("versions");
        engine.meters(tenant).versionsByKey().getOrDefault(latest.key(), List.of())
                .forEach(v -> {
                    ObjectNode vo = versions.addObject().put("version", v.version())
                            .put("effective_from", v.effectiveFrom().toString())
                            .put("for_all_events", v.effectiveFrom().equals(Instant.EPOCH));
                    Optional.ofNullable(created.get(v.key() + "@" + v.version()))
                            .ifPresentOrElse(t -> vo.put("created_at", t.toString()), () -> vo.putNull("created_at"));
                });
        return o;
    }

    /** The time zone of a customer (in force now), if there is such a customer. */
    private Optional<ZoneId> customerZone(Request r, String customer) {
        try {
            return Optional.of(engine.billing().customer(r.tenant(), customer).timezone());
        } catch (dev.tally.engine.billing.BillingNotFoundException e) {
            return Optional.empty();
        }
    }

    void usage(Request r) throws IOException {
        String key = r.path("key");
        Optional<String> customer = r.param("customer").or(() -> r.param("subject"));
        ZoneId zone;
        String zoneParam = r.param("tz").isPresent() || r.param("timezone").isEmpty() ? "tz" : "timezone";
        try {
            // without an explicit zone, a customer's usage follows the customer's time zone (else UTC)
            zone = r.param(zoneParam).map(ZoneId::of).orElseGet(() -> customer.flatMap(c -> customerZone(r, c))
                    .orElse(ZoneOffset.UTC));
        } catch (DateTimeException e) {
            throw HttpError.badRequest(zoneParam, "is not a time zone id such as Europe/Berlin");
        }
        Instant now = engine.clock().instant();
        YearMonth month = YearMonth.from(now.atZone(zone));
        Instant from = r.instant("from").orElse(month.atDay(1).atStartOfDay(zone).toInstant());
        Instant to = r.instant("to").orElse(month.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant());
        if (!from.isBefore(to)) {
            throw HttpError.badRequest("from", "must be before 'to'");
        }
        Window window = r.param("window").map(w -> Window.fromWireName(w)
                .orElseThrow(() -> HttpError.badRequest("window", "must be hour, day, month or none")))
                .orElse(Window.NONE);
        List<String> groupBy = new ArrayList<>();
        for (String g : r.params("group_by")) {
            for (String d : g.split(",")) {
                if (!d.isBlank() && !groupBy.contains(d.trim())) {
                    groupBy.add(d.trim());
                }
            }
        }
        Map<String, Set<String>> filters = new LinkedHashMap<>();
        r.query.forEach((k, values) -> {
            if (k.startsWith("filter[") && k.endsWith("]")) {
                filters.computeIfAbsent(k.substring(7, k.length() - 1), x -> new HashSet<>()).addAll(values);
            }
        });
        engine.syncWithOthers();
        if (engine.meters(r.tenant()).latest(key).isEmpty()) {
            throw HttpError.notFound("no meter '" + key + "'");
        }
        UsageRequest q = new UsageRequest(key, customer, from, to, window, zone, groupBy, filters);
        List<UsageRow> rows = engine.usage(r.tenant(), q);
        ObjectNode out = mapper.createObjectNode();
        out.put("meter", key);
        customer.ifPresentOrElse(c -> out.put("customer", c), () -> out.putNull("customer"));
        out.put("from", from.toString());
        out.put("to", to.toString());
        out.put("window", window.wireName());
        out.put("tz", zone.getId());
        ArrayNode rowsOut = out.putArray("rows");
        for (UsageRow row : rows) {
            ObjectNode o = rowsOut.addObject();
            o.put("window_start", row.windowStart().toString());
            o.put("window_end", row.windowEnd().toString());
            ObjectNode group = o.putObject("group");
            for (int i = 0; i < groupBy.size(); i++) {
                Optional<String> v = row.group().get(i);
                if (v.isPresent()) {
                    group.put(groupBy.get(i), v.get());
                } else {
                    group.putNull(groupBy.get(i));
                }
            }
            o.put("value", row.value().toPlainString());
            o.put("events", row.events());
        }
        Responses.json(r.exchange, 200, out, mapper);
    }
}
